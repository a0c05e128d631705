"""The signed-in home page's figures: one section per role the person holds, each answering "what should
I do now?" with the figures of the dashboards it summarises (built from their queries).

A fixed number of statements whatever the number of learners, cohorts, courses or threads: each section
states its own count, and a person with several roles pays for each section once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.accounts.models import Role, User
from app.accounts.policy import Action, can, is_admin, managed_company_ids, managed_cybersite_ids
from app.learn.homepage.company import CompanyHome, company_home
from app.learn.homepage.cybersite import CybersiteHome, cybersite_home
from app.learn.homepage.learner import LearnerHome, learner_home
from app.learn.homepage.network import NetworkHome, network_home
from app.learn.homepage.trainer import TrainerHome, trainer_home
from app.progress.tables import LOCAL_TIME


@dataclass(frozen=True)
class HomePage:
    """The sections of one person's home page (None: a role they do not hold)."""

    learner: LearnerHome | None
    companies: list[CompanyHome]
    cybersites: list[CybersiteHome]
    trainer: TrainerHome | None
    network: NetworkHome | None

    @property
    def empty(self) -> bool:
        """No section at all: the person holds no role yet."""
        return not (self.learner or self.companies or self.cybersites or self.trainer or self.network)


def home_page(user: User) -> HomePage:
    """The sections for ``user``, each limited by the access policy to what they may see."""
    roles = {grant.role for grant in user.roles}
    now = datetime.now(LOCAL_TIME)
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return HomePage(
        learner=learner_home(user.id, can(user, Action.STAFF_COURSES)) if Role.LEARNER in roles else None,
        companies=company_home(managed_company_ids(user)),
        cybersites=cybersite_home(managed_cybersite_ids(user), now.date()),
        trainer=trainer_home(user) if Role.TRAINER in roles else None,
        network=network_home(month_start) if is_admin(user) else None,
    )
