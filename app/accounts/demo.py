"""Demo data for ``demo load``: four Cybersites, a dozen fictional SMEs, and an account for every role.

Loading is idempotent: records are matched by their natural keys (name, SIRET, e-mail) and a second load
changes nothing. The demo password is public by design; never load demo data on a production site.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.accounts.models import Company, Cybersite, Role, RoleGrant, User
from app.accounts.services.credentials import hash_password
from app.core.extensions import db

DEMO_PASSWORD = "cybermassif-demo"  # noqa: S105 (public demo sign-in, printed by `demo load`)

CYBERSITES = (
    ("Cybersite Clermont-Ferrand", "Clermont-Ferrand", "63"),
    ("Cybersite Aurillac", "Aurillac", "15"),
    ("Cybersite Le Puy-en-Velay", "Le Puy-en-Velay", "43"),
    ("Cybersite Saint-Étienne", "Saint-Étienne", "42"),
)

# legal name, SIRET, NAF, headcount, département, home Cybersite town
COMPANIES = (
    ("Boulangerie Fournier", "41295260181596", "10.71C", 6, "63", "Clermont-Ferrand"),
    ("Menuiserie Chabrier et Fils", "50830830166137", "16.23Z", 14, "63", "Clermont-Ferrand"),
    ("Auvergne Pneus Services", "39211860913902", "45.32Z", 38, "63", "Clermont-Ferrand"),
    ("Fromagerie du Cantal Dumas", "82009960308247", "10.51C", 22, "15", "Aurillac"),
    ("Hôtel-Restaurant Le Plomb", "73416281948216", "55.10Z", 11, "15", "Aurillac"),
    ("Transports Vermenouze", "62189935181905", "49.41A", 64, "15", "Aurillac"),
    ("Dentelles du Velay", "90329378657971", "13.99Z", 4, "43", "Le Puy-en-Velay"),
    ("Lentilles Vertes Coopérative", "44575432319480", "01.11Z", 27, "43", "Le Puy-en-Velay"),
    ("Cabinet Comptable Roux", "55127574911868", "69.20Z", 9, "43", "Le Puy-en-Velay"),
    ("Coutellerie Forézienne", "88602527601890", "25.71Z", 120, "42", "Saint-Étienne"),
    ("Cycles Manufrance Renouveau", "33075559797116", "30.92Z", 45, "42", "Saint-Étienne"),
    ("Agence Web Gier Numérique", "77194710497461", "62.01Z", 7, "42", "Saint-Étienne"),
)


@dataclass(frozen=True)
class DemoAccount:
    """A demo sign-in and the role it shows."""

    email: str
    display_name: str
    role: Role
    company_siret: str | None = None
    cybersite_town: str | None = None
    language: str = "fr"


ACCOUNTS = (
    DemoAccount("admin@demo.cybermassif.fr", "Anne Administratrice", Role.NETWORK_ADMIN),
    DemoAccount(
        "responsable.clermont@demo.cybermassif.fr",
        "Claire Responsable",
        Role.CYBERSITE_MANAGER,
        cybersite_town="Clermont-Ferrand",
    ),
    DemoAccount(
        "formateur@demo.cybermassif.fr", "Théo Formateur", Role.TRAINER, cybersite_town="Clermont-Ferrand"
    ),
    DemoAccount(
        "gerant@demo.cybermassif.fr", "Gérard Fournier", Role.COMPANY_MANAGER, company_siret="41295260181596"
    ),
    DemoAccount(
        "apprenant@demo.cybermassif.fr", "Léa Apprenante", Role.LEARNER, company_siret="41295260181596"
    ),
    DemoAccount(
        "learner@demo.cybermassif.fr",
        "Sam Learner",
        Role.LEARNER,
        company_siret="50830830166137",
        language="en",
    ),
)


def _upsert_cybersite(name: str, town: str, departement: str) -> Cybersite:
    site = db.session.scalar(select(Cybersite).where(Cybersite.name == name))
    if site is None:
        site = Cybersite(name=name, town=town, departement=departement)
        db.session.add(site)
    return site


def _upsert_company(row: tuple[str, str, str, int, str, str], sites: dict[str, Cybersite]) -> Company:
    name, siret, naf, headcount, departement, town = row
    company = db.session.scalar(select(Company).where(Company.siret == siret))
    if company is None:
        company = Company(
            legal_name=name,
            siret=siret,
            naf_code=naf,
            headcount=headcount,
            departement=departement,
            cybersite=sites[town],
        )
        db.session.add(company)
    return company


def _upsert_account(account: DemoAccount, sites: dict[str, Cybersite], companies: dict[str, Company]) -> User:
    user = db.session.scalar(select(User).where(User.email == account.email))
    if user is None:
        user = User(email=account.email, display_name=account.display_name, language=account.language)
        db.session.add(user)
    if not user.password_hash or not check_password_hash(user.password_hash, DEMO_PASSWORD):
        user.password_hash = hash_password(DEMO_PASSWORD)
    user.active = True
    company_id = companies[account.company_siret].id if account.company_siret else None
    site_id = sites[account.cybersite_town].id if account.cybersite_town else None
    held = any(
        g.role == account.role and g.company_id == company_id and g.cybersite_id == site_id
        for g in user.roles
    )
    if not held:
        user.roles.append(RoleGrant(role=account.role, company_id=company_id, cybersite_id=site_id))
    return user


def load_demo() -> list[DemoAccount]:
    """Create or complete the demo data; return the demo accounts (their password is DEMO_PASSWORD)."""
    sites = {town: _upsert_cybersite(name, town, dep) for name, town, dep in CYBERSITES}
    db.session.flush()
    companies = {row[1]: _upsert_company(row, sites) for row in COMPANIES}
    db.session.flush()
    for account in ACCOUNTS:
        _upsert_account(account, sites, companies)
    db.session.flush()
    return list(ACCOUNTS)
