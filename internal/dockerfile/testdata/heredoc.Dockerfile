FROM ddlab/busybox:1
RUN <<EOT
set -e
echo hello > /greeting
EOT
COPY <<-EOT /etc/motd
	Bienvenue
	EOT
CMD ["cat", "/greeting"]
