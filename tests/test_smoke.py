from tests.people import OPERATOR, RESIDENT
from tests.world import World, sent


async def test_operator_creates_and_resident_signs_up(world: World) -> None:
    complex_ = await world.new_complex()
    calls = await world.sign_up(RESIDENT, complex_.resident_code)
    assert "Welcome to <b>De Toren</b>, Rosa" in sent(calls)[-1].text
    resident = await world.repos.people.resident_of(RESIDENT["id"])
    assert resident is not None and resident.is_active
    assert OPERATOR["id"] in world.app.bot_data["config"].operators
