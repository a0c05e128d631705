"""Learner progress: completion and grade per learner and block recorded from the runtime's events
(``recording``), rolled up per unit, sequence, chapter and course in the same transaction (``rollups``,
``figures``, ``structure``, ``grading``), certificates (``certificates``), and the dashboards and exports
that read them (``queries``, ``dashboards``, ``charts``, ``exports``, ``routes``)."""
