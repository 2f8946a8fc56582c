"""PostgreSQL through RDS Proxy with IAM authentication: ENGINE "todo_site.db", and the tokens it signs."""
