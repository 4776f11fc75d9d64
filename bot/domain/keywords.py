"""Command arguments in either language: the Dutch words mean the same as the English ones.

Commands take a few fixed words (a stage, an organisation, a join policy, on or off). A
Dutch user types them in Dutch; the handlers compare with the English keyword.
"""

DUTCH = {
    "los_zand": "loose_sand",
    "loszand": "loose_sand",
    "beginnend_netwerk": "beginning_network",
    "groep": "group",
    "gemeente": "municipality",
    "politie": "police",
    "woningcorporatie": "corporation",
    "corporatie": "corporation",
    "buur": "peer",
    "ervaren_buur": "peer",
    "goedkeuring": "approval",
    "aan": "on",
    "uit": "off",
    "ja": "yes",
    "nee": "no",
}


def keyword(word: str) -> str:
    """The English keyword for a typed argument: "Politie" → "police", "los-zand" →
    "loose_sand"; any other word comes back lower-cased, to be refused by its command."""
    text = word.strip().lower().replace("-", "_")
    return DUTCH.get(text, text)
