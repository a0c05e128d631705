"""VISTA: the company self-assessment of ICT adoption, use and impact (docs: ../shared/docs/vista.md)."""
