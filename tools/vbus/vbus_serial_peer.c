// SPDX-License-Identifier: GPL-2.0
/*
 * vbus_serial_peer: the host end of the benchmarks' virtio-serial ports.
 *
 *   vbus_serial_peer RR_SOCKET SINK_SOCKET
 *
 * Connects to QEMU's two chardev sockets: echoes every byte read from the
 * first, discards everything read from the second. Exits when QEMU closes
 * them.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int connect_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd, tries;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	for (tries = 0; tries < 300; tries++) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fd;
		close(fd);
		usleep(100000);
	}
	return -1;
}

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	struct pollfd p[2];
	ssize_t n, m, off;
	int i;

	if (argc != 3) {
		fprintf(stderr, "usage: %s RR_SOCKET SINK_SOCKET\n", argv[0]);
		return 2;
	}
	for (i = 0; i < 2; i++) {
		p[i].fd = connect_unix(argv[i + 1]);
		p[i].events = POLLIN;
		if (p[i].fd < 0) {
			fprintf(stderr, "vbus_serial_peer: %s: %s\n", argv[i + 1],
				strerror(errno));
			return 1;
		}
	}
	for (;;) {
		if (poll(p, 2, -1) < 0)
			return 1;
		for (i = 0; i < 2; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(p[i].fd, buf, sizeof(buf));
			if (n <= 0)
				return 0;
			for (off = 0; i == 0 && off < n; off += m) {
				m = write(p[i].fd, buf + off, n - off);
				if (m < 0)
					return 1;
			}
		}
	}
}
