"""Everything about a report: its services, rules of readiness, record and read model.

Services (``services``, ``follow_ups``, ``comments``, ``workflow``) change
reports and write audit rows; ``records`` builds the canonical record;
``read_model`` gathers what a page or API body shows. The blueprint lives
in ``reports.views`` and is imported only by the app factory.
"""
