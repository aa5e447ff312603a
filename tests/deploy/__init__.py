"""The deployment files: docker-compose.yml and the Dockerfile, checked without a daemon."""
