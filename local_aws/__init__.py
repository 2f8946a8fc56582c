"""
Local stand-ins of the AWS services a stage uses, to run and test its Lambda package on one machine:
Lambda's runtime and instance pool (with SnapStart's snapshot), API Gateway, the Lambda Invoke API,
S3, SES and SQS (moto), CloudFront, RDS Proxy (PgBouncer, and its IAM authentication), and
`make lambda-local`, which puts them together. Never packaged, never imported by deploy/.
"""
