"""The indicators of INDICATORS.md, a module each (``task_burden``, ``satisfaction``, ``survey_items``,
``facility_compliance``, ``staff_turnover``, ``staff_retention``, ``assessment``), over their named queries,
with what they share (``filters``, ``overview``, ``stats``) and the community profile built on them."""
