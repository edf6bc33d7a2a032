# grade as a container image for CI runners (docs/ci.md). Built offline from the static
# binary and the course's own busybox base, which gives CI runners the shell they need
# (GitLab and GitHub job containers run their scripts with sh):
#   make image            # = make build-static images && docker build -t ddlab/grade:dev .
# Give it an engine with the runner's socket (-v /var/run/docker.sock:/var/run/docker.sock)
# or a Docker-in-Docker service (DOCKER_HOST=tcp://docker:2376 with DOCKER_TLS_VERIFY and
# DOCKER_CERT_PATH); see ci/gitlab-ci.yml.
FROM ddlab/busybox:1
COPY bin/grade-static /usr/local/bin/grade
WORKDIR /work
CMD ["grade", "--help"]
