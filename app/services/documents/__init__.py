"""Every file Chorus writes or reads (DESIGN.md section 3), so no blueprint package holds these.

- `workbook`: the shared styles and cell helpers for every workbook Chorus writes;
- `round_workbook` with `round_tables`, `round_charts` and `round_responses`: a round's results;
- `assessment_workbook` with `assessment_charts`: a self-assessment; `indicators_csv`: a
  round's figures as CSV;
- reports (`report_model` laid out by `report_pdf` and `report_docx`, whose charts are
  `chart_png` pictures): `self_evaluation`, `committee_report`, `you_said`;
- `paper`: the paper-questionnaire entry template and importing what was typed into it.

Framework workbooks are read and written by `frameworks.workbook` (pure, no Flask or SQL).
"""
