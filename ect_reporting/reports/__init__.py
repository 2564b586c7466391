"""Everything about a report: its services, rules of readiness, record and read model.

Services (``services``, ``follow_ups``, ``comments``, ``workflow``) change
reports and write audit rows; ``records`` builds the canonical record;
``read_model`` gathers what a page or API body shows. No Flask request
code lives here: the pages are the ``report_pages`` blueprint, and the API
and review blueprints use this package the same way.
"""
