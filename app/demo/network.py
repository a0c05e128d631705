"""The demo network at a given size: the four demo Cybersites and twelve companies of ``app.accounts.demo``
(size 1), plus ``size - 1`` more copies of them in other towns, each site with a manager and a trainer and
each company with a few learners.

Every name is drawn from generators seeded with a fixed text, so that a size always gives the same people;
records are matched by their natural keys (Cybersite name, SIRET, e-mail), so loading again adds nothing.
One password hash serves every generated account (the public demo password): hashing costs tens of
milliseconds a time, and these accounts are there to fill the figures, not to be kept secret.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import select

from app.accounts.demo import COMPANIES, CYBERSITES, DEMO_PASSWORD
from app.accounts.identifiers import luhn_valid
from app.accounts.models import Company, Cybersite, Role, RoleGrant, User
from app.accounts.services.credentials import hash_password
from app.core.extensions import db

SEED = "cybermassif-demo-2026"
MAX_SIZE = 20
LEARNER_DOMAIN = "apprenants.demo.cybermassif.fr"
STAFF_DOMAIN = "sites.demo.cybermassif.fr"
# The demo Cybersite whose manager and trainer are the printed demo sign-ins.
HOME_TOWN = "Clermont-Ferrand"
HOME_MANAGER = "responsable.clermont@demo.cybermassif.fr"
HOME_TRAINER = "formateur@demo.cybermassif.fr"
GENERATED_SIRET_PREFIX = "970"  # VISTA's peers use 990: the ranges never meet

# Towns of the region for the copies of the network beyond size 1: (town, département).
EXTRA_TOWNS = (
    ("Vichy", "03"),
    ("Montluçon", "03"),
    ("Moulins", "03"),
    ("Issoire", "63"),
    ("Thiers", "63"),
    ("Riom", "63"),
    ("Roanne", "42"),
    ("Montbrison", "42"),
    ("Saint-Flour", "15"),
    ("Mauriac", "15"),
    ("Brioude", "43"),
    ("Yssingeaux", "43"),
    ("Ambert", "63"),
    ("Firminy", "42"),
    ("Gannat", "03"),
    ("Langeac", "43"),
)
FIRST_NAMES = [
    "Camille",
    "Julien",
    "Manon",
    "Hugo",
    "Chloé",
    "Lucas",
    "Inès",
    "Nathan",
    "Léna",
    "Théo",
    "Sarah",
    "Louis",
    "Emma",
    "Paul",
    "Jade",
    "Arthur",
    "Lina",
    "Maxime",
    "Zoé",
    "Antoine",
    "Clara",
    "Mathis",
    "Anaïs",
    "Romain",
    "Elsa",
    "Baptiste",
    "Margaux",
    "Quentin",
    "Océane",
    "Thomas",
    "Pauline",
    "Karim",
    "Yasmine",
    "Mehdi",
    "Nadia",
    "Bruno",
    "Sylvie",
    "Patrick",
    "Isabelle",
    "Olivier",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Durand",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefebvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "Gauthier",
    "Perrin",
    "Robin",
    "Clément",
    "Morin",
    "Nicolas",
    "Henry",
    "Roussel",
    "Mathieu",
]
TRADES = (
    ("Boulangerie", "10.71C"),
    ("Menuiserie", "16.23Z"),
    ("Garage", "45.20A"),
    ("Fromagerie", "10.51C"),
    ("Hôtel", "55.10Z"),
    ("Transports", "49.41A"),
    ("Atelier textile", "13.99Z"),
    ("Coopérative agricole", "01.11Z"),
    ("Cabinet comptable", "69.20Z"),
    ("Mécanique de précision", "25.62A"),
    ("Plomberie", "43.22A"),
    ("Agence web", "62.01Z"),
)


@dataclass
class SiteStaff:
    """A Cybersite of the network and who runs it."""

    site: Cybersite
    manager: User
    trainer: User
    companies: list[Company] = field(default_factory=list)


@dataclass
class Network:
    """What the network holds after loading, and what this load created."""

    sites: list[SiteStaff]
    learners: dict[int, list[User]]  # company id → its learners (generated and demo ones), in a fixed order
    new_learners: set[int]  # ids of the learners this load created
    created_sites: int = 0
    created_companies: int = 0


def slug(text: str) -> str:
    """ASCII, lower case, words joined by hyphens: for e-mail addresses."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text.lower()).split())


def _siret(number: int) -> str:
    head = f"{GENERATED_SIRET_PREFIX}{number:010d}"
    return next(head + str(d) for d in range(10) if luhn_valid(head + str(d)))


def _town(index: int) -> tuple[str, str]:
    """The town of the ``index``-th extra Cybersite (0-based), numbered once the list runs out."""
    town, departement = EXTRA_TOWNS[index % len(EXTRA_TOWNS)]
    round_ = index // len(EXTRA_TOWNS)
    return (f"{town} {round_ + 1}" if round_ else town), departement


def site_rows(size: int) -> list[tuple[str, str, str]]:
    """(name, town, département) of every Cybersite of a network of this size, the demo ones first."""
    rows = list(CYBERSITES)
    for index in range(4 * (size - 1)):
        town, departement = _town(index)
        rows.append((f"Cybersite {town}", town, departement))
    return rows


def company_rows(size: int) -> list[tuple[str, str, str, int, str, str]]:
    """(legal name, SIRET, NAF, headcount, département, Cybersite town) of every company, demo ones first;
    each extra Cybersite gets three companies, as each demo one has."""
    rows = list(COMPANIES)
    number = 0
    for _name, town, departement in site_rows(size)[len(CYBERSITES) :]:
        for _ in range(3):
            number += 1
            rng = random.Random(f"{SEED}-company-{number}")  # noqa: S311 (seeded on purpose: same data every load)
            trade, naf = TRADES[number % len(TRADES)]
            rows.append(
                (
                    f"{trade} {rng.choice(LAST_NAMES)} {town}",
                    _siret(number),
                    naf,
                    rng.choice((3, 5, 8, 12, 18, 26, 40, 65)),
                    departement,
                    town,
                )
            )
    return rows


def learner_count(headcount: int) -> int:
    """How many of a company's staff follow the training: two to six, more in larger companies."""
    return min(6, max(2, headcount // 10 + 2))


class _Accounts:
    """Accounts by e-mail, created on demand with the shared demo password hash."""

    def __init__(self) -> None:
        self._hash: str | None = None
        self.created: set[int] = set()

    def password_hash(self) -> str:
        if self._hash is None:
            self._hash = hash_password(DEMO_PASSWORD)
        return self._hash

    def ensure(self, email: str, name: str, grant: RoleGrant, existing: dict[str, User]) -> User:
        user = existing.get(email)
        if user is None:
            user = User(email=email, display_name=name, language="fr", password_hash=self.password_hash())
            user.active = True
            user.roles.append(grant)
            db.session.add(user)
            db.session.flush()
            self.created.add(user.id)
            existing[email] = user
        return user


def load_network(size: int) -> Network:
    """Create what is missing of the network of this size (flushed, not committed) and return all of it."""
    names = site_rows(size)
    sites = {
        s.name: s
        for s in db.session.scalars(select(Cybersite).where(Cybersite.name.in_([r[0] for r in names])))
    }
    created_sites = 0
    for name, town, departement in names:
        if name not in sites:
            sites[name] = Cybersite(name=name, town=town, departement=departement)
            db.session.add(sites[name])
            created_sites += 1
    db.session.flush()
    by_town = {site.town: site for site in sites.values()}
    rows = company_rows(size)
    companies = {
        c.siret: c for c in db.session.scalars(select(Company).where(Company.siret.in_([r[1] for r in rows])))
    }
    created_companies = 0
    for legal_name, siret, naf, headcount, departement, town in rows:
        if siret not in companies:
            companies[siret] = Company(
                legal_name=legal_name,
                siret=siret,
                naf_code=naf,
                headcount=headcount,
                departement=departement,
                cybersite=by_town[town],
            )
            db.session.add(companies[siret])
            created_companies += 1
    db.session.flush()
    emails = _emails(names, rows)
    existing = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
    accounts = _Accounts()
    staff: list[SiteStaff] = []
    for name, town, _departement in names:
        site = sites[name]
        if town == HOME_TOWN:
            manager, trainer = existing[HOME_MANAGER], existing[HOME_TRAINER]
        else:
            manager = accounts.ensure(
                f"responsable.{slug(town)}@{STAFF_DOMAIN}",
                f"Responsable {town}",
                RoleGrant(role=Role.CYBERSITE_MANAGER, cybersite_id=site.id),
                existing,
            )
            trainer = accounts.ensure(
                f"formateur.{slug(town)}@{STAFF_DOMAIN}",
                f"Formateur {town}",
                RoleGrant(role=Role.TRAINER, cybersite_id=site.id),
                existing,
            )
        staff.append(SiteStaff(site, manager, trainer))
    by_site = {entry.site.id: entry for entry in staff}
    learners: dict[int, list[User]] = {}
    demo_learners = {
        g.company_id: u
        for u in existing.values()
        if u.email.endswith("@demo.cybermassif.fr")
        for g in u.roles
        if g.role == Role.LEARNER and g.company_id
    }
    for number, row in enumerate(rows):
        company = companies[row[1]]
        by_site[company.cybersite_id].companies.append(company)
        people = [demo_learners[company.id]] if company.id in demo_learners else []
        for email, display_name in _learner_names(number, row):
            people.append(
                accounts.ensure(
                    email, display_name, RoleGrant(role=Role.LEARNER, company_id=company.id), existing
                )
            )
        learners[company.id] = people
    db.session.flush()
    return Network(staff, learners, accounts.created, created_sites, created_companies)


def _learner_names(number: int, row: tuple[str, str, str, int, str, str]) -> list[tuple[str, str]]:
    """The (e-mail, name) of a company's generated learners."""
    rng = random.Random(f"{SEED}-staff-{row[1]}")  # noqa: S311 (seeded on purpose: same people every load)
    people = []
    for index in range(learner_count(row[3])):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        people.append(
            (f"{slug(first)}.{slug(last)}.{number + 1}-{index + 1}@{LEARNER_DOMAIN}", f"{first} {last}")
        )
    return people


def _emails(
    sites: list[tuple[str, str, str]], companies: list[tuple[str, str, str, int, str, str]]
) -> list[str]:
    """Every e-mail address the network uses (to read the existing accounts in one query)."""
    emails = [HOME_MANAGER, HOME_TRAINER, "apprenant@demo.cybermassif.fr", "learner@demo.cybermassif.fr"]
    for _name, town, _departement in sites:
        emails += [f"responsable.{slug(town)}@{STAFF_DOMAIN}", f"formateur.{slug(town)}@{STAFF_DOMAIN}"]
    for number, row in enumerate(companies):
        emails += [email for email, _ in _learner_names(number, row)]
    return emails
