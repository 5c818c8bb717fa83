"""Self-assessment services (DESIGN.md section 3): one module per part of a SAT's work.

- `assessments`: create an assessment, name its team, and decide who may do what (`Access`);
- `ratings`: members' own ratings, the discussion and agreed ratings;
- `judgements`: the agreed judgement, strengths and areas for improvement per indicator;
- `evidence`: evidence items and triangulation;
- `imports`: stakeholder results imported from rounds as evidence;
- `actions`: the improvement actions.

Every module takes the `Access` computed in `assessments`, so the permission rules are written once.
Services flush; the view or CLI command commits.
"""
