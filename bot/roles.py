"""Who someone is, per complex: the basis of every authorisation decision."""

from dataclasses import dataclass

from bot.domain.models import Contact, ContactKind, Resident
from bot.storage import Repositories


@dataclass(frozen=True)
class Standing:
    telegram_id: int
    is_operator: bool
    resident: Resident | None
    contacts: tuple[Contact, ...]

    @property
    def active_resident(self) -> Resident | None:
        return self.resident if self.resident and self.resident.is_active else None

    @property
    def initiator_complex_id(self) -> int | None:
        resident = self.resident
        return resident.complex_id if resident and resident.is_initiator else None

    def is_initiator_of(self, complex_id: int) -> bool:
        return self.initiator_complex_id == complex_id

    def is_contact_of(self, complex_id: int) -> bool:
        return any(contact.complex_id == complex_id for contact in self.contacts)

    def organises(self, complex_id: int) -> bool:
        """Operators, and the complex's initiators and contacts: they see how it is run."""
        return self.is_operator or self.is_initiator_of(complex_id) or \
            self.is_contact_of(complex_id)

    def may_see(self, complex_id: int) -> bool:
        """Those who organise the complex, and its residents."""
        resident = self.active_resident
        return self.organises(complex_id) or (resident is not None
                                               and resident.complex_id == complex_id)

    def may_link_group_for(self, complex_id: int) -> bool:
        return self.is_operator or complex_id in self.organised_complex_ids()

    def organised_complex_ids(self) -> list[int]:
        """Complexes this person may link a group for (operators: see all complexes).

        Peers are residents of another complex: they mentor, they do not run this one's group.
        """
        ids = [contact.complex_id for contact in self.contacts
               if contact.kind is not ContactKind.PEER]
        if self.initiator_complex_id is not None:
            ids.insert(0, self.initiator_complex_id)
        return list(dict.fromkeys(ids))

    @property
    def is_stranger(self) -> bool:
        return not (self.is_operator or self.resident or self.contacts)


async def standing_of(repos: Repositories, operators: frozenset[int], telegram_id: int) -> Standing:
    return Standing(
        telegram_id=telegram_id,
        is_operator=telegram_id in operators,
        resident=await repos.people.resident_of(telegram_id),
        contacts=tuple(await repos.people.contacts_of_user(telegram_id)),
    )
