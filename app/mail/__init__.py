"""The mail outbox (DESIGN.md section 8): render at send time, claim, send, retry.

- `app.mail.smtp`: one SMTP connection per batch, through Flask-Mail, with a timeout.
- `app.mail.render`: the email a message becomes, with its link derived only now.
- `app.mail.outbox`: claim / send / mark, back-off and permanent failure.
- `app.mail.worker`: the loop behind `flask mail work` and the in-process thread.
"""
