"""Reference data: the French départements (code, name, region), as used by INSEE."""

from __future__ import annotations

from typing import NamedTuple


class Departement(NamedTuple):
    """One département: its INSEE code, its name and the region it belongs to."""

    code: str
    name: str
    region: str


ARA = "Auvergne-Rhône-Alpes"
BFC = "Bourgogne-Franche-Comté"
BRE = "Bretagne"
CVL = "Centre-Val de Loire"
COR = "Corse"
GES = "Grand Est"
HDF = "Hauts-de-France"
IDF = "Île-de-France"
NOR = "Normandie"
NAQ = "Nouvelle-Aquitaine"
OCC = "Occitanie"
PDL = "Pays de la Loire"
PAC = "Provence-Alpes-Côte d'Azur"

DEPARTEMENTS: tuple[Departement, ...] = (
    Departement("01", "Ain", ARA),
    Departement("02", "Aisne", HDF),
    Departement("03", "Allier", ARA),
    Departement("04", "Alpes-de-Haute-Provence", PAC),
    Departement("05", "Hautes-Alpes", PAC),
    Departement("06", "Alpes-Maritimes", PAC),
    Departement("07", "Ardèche", ARA),
    Departement("08", "Ardennes", GES),
    Departement("09", "Ariège", OCC),
    Departement("10", "Aube", GES),
    Departement("11", "Aude", OCC),
    Departement("12", "Aveyron", OCC),
    Departement("13", "Bouches-du-Rhône", PAC),
    Departement("14", "Calvados", NOR),
    Departement("15", "Cantal", ARA),
    Departement("16", "Charente", NAQ),
    Departement("17", "Charente-Maritime", NAQ),
    Departement("18", "Cher", CVL),
    Departement("19", "Corrèze", NAQ),
    Departement("2A", "Corse-du-Sud", COR),
    Departement("2B", "Haute-Corse", COR),
    Departement("21", "Côte-d'Or", BFC),
    Departement("22", "Côtes-d'Armor", BRE),
    Departement("23", "Creuse", NAQ),
    Departement("24", "Dordogne", NAQ),
    Departement("25", "Doubs", BFC),
    Departement("26", "Drôme", ARA),
    Departement("27", "Eure", NOR),
    Departement("28", "Eure-et-Loir", CVL),
    Departement("29", "Finistère", BRE),
    Departement("30", "Gard", OCC),
    Departement("31", "Haute-Garonne", OCC),
    Departement("32", "Gers", OCC),
    Departement("33", "Gironde", NAQ),
    Departement("34", "Hérault", OCC),
    Departement("35", "Ille-et-Vilaine", BRE),
    Departement("36", "Indre", CVL),
    Departement("37", "Indre-et-Loire", CVL),
    Departement("38", "Isère", ARA),
    Departement("39", "Jura", BFC),
    Departement("40", "Landes", NAQ),
    Departement("41", "Loir-et-Cher", CVL),
    Departement("42", "Loire", ARA),
    Departement("43", "Haute-Loire", ARA),
    Departement("44", "Loire-Atlantique", PDL),
    Departement("45", "Loiret", CVL),
    Departement("46", "Lot", OCC),
    Departement("47", "Lot-et-Garonne", NAQ),
    Departement("48", "Lozère", OCC),
    Departement("49", "Maine-et-Loire", PDL),
    Departement("50", "Manche", NOR),
    Departement("51", "Marne", GES),
    Departement("52", "Haute-Marne", GES),
    Departement("53", "Mayenne", PDL),
    Departement("54", "Meurthe-et-Moselle", GES),
    Departement("55", "Meuse", GES),
    Departement("56", "Morbihan", BRE),
    Departement("57", "Moselle", GES),
    Departement("58", "Nièvre", BFC),
    Departement("59", "Nord", HDF),
    Departement("60", "Oise", HDF),
    Departement("61", "Orne", NOR),
    Departement("62", "Pas-de-Calais", HDF),
    Departement("63", "Puy-de-Dôme", ARA),
    Departement("64", "Pyrénées-Atlantiques", NAQ),
    Departement("65", "Hautes-Pyrénées", OCC),
    Departement("66", "Pyrénées-Orientales", OCC),
    Departement("67", "Bas-Rhin", GES),
    Departement("68", "Haut-Rhin", GES),
    Departement("69", "Rhône", ARA),
    Departement("70", "Haute-Saône", BFC),
    Departement("71", "Saône-et-Loire", BFC),
    Departement("72", "Sarthe", PDL),
    Departement("73", "Savoie", ARA),
    Departement("74", "Haute-Savoie", ARA),
    Departement("75", "Paris", IDF),
    Departement("76", "Seine-Maritime", NOR),
    Departement("77", "Seine-et-Marne", IDF),
    Departement("78", "Yvelines", IDF),
    Departement("79", "Deux-Sèvres", NAQ),
    Departement("80", "Somme", HDF),
    Departement("81", "Tarn", OCC),
    Departement("82", "Tarn-et-Garonne", OCC),
    Departement("83", "Var", PAC),
    Departement("84", "Vaucluse", PAC),
    Departement("85", "Vendée", PDL),
    Departement("86", "Vienne", NAQ),
    Departement("87", "Haute-Vienne", NAQ),
    Departement("88", "Vosges", GES),
    Departement("89", "Yonne", BFC),
    Departement("90", "Territoire de Belfort", BFC),
    Departement("91", "Essonne", IDF),
    Departement("92", "Hauts-de-Seine", IDF),
    Departement("93", "Seine-Saint-Denis", IDF),
    Departement("94", "Val-de-Marne", IDF),
    Departement("95", "Val-d'Oise", IDF),
    Departement("971", "Guadeloupe", "Guadeloupe"),
    Departement("972", "Martinique", "Martinique"),
    Departement("973", "Guyane", "Guyane"),
    Departement("974", "La Réunion", "La Réunion"),
    Departement("976", "Mayotte", "Mayotte"),
)

BY_CODE: dict[str, Departement] = {d.code: d for d in DEPARTEMENTS}


def choices() -> list[tuple[str, str]]:
    """(code, "code — name") pairs for a select field."""
    return [(d.code, f"{d.code} — {d.name}") for d in DEPARTEMENTS]
