"""The outbox: e-mail messages written in the transaction of the action that causes them,
delivered through SMTP by the `mail.send` job, with retries and a visible failure."""
