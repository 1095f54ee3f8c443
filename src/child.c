// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "child.h"

int it_child_start(struct it_child *c, char **argv)
{
	int pfd[2];
	char buf;
	ssize_t n;

	c->pid = 0;
	c->status = -1;
	/* A close-on-exec pipe tells us whether exec worked. */
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	c->pid = fork();
	if (c->pid < 0) {
		c->pid = 0;
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (c->pid == 0) {
		int e;

		close(pfd[0]);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execvp(argv[0], argv);
		e = errno;
		if (write(pfd[1], &e, 1) < 0)
			_exit(127);
		_exit(127);
	}
	close(pfd[1]);
	n = read(pfd[0], &buf, 1);
	close(pfd[0]);
	if (n == 1) {
		int e = buf;

		waitpid(c->pid, NULL, 0);
		c->pid = 0;
		return -(e ? e : ENOEXEC);
	}
	return 0;
}

bool it_child_done(struct it_child *c)
{
	int st;
	pid_t r;

	if (!c->pid)
		return true;
	r = waitpid(c->pid, &st, WNOHANG);
	if (r != c->pid)
		return false;
	c->pid = 0;
	c->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return true;
}

void it_child_stop(struct it_child *c)
{
	int i;

	if (!c->pid)
		return;
	kill(c->pid, SIGTERM);
	for (i = 0; i < 200 && !it_child_done(c); i++)
		usleep(10000);
	if (c->pid) {
		kill(c->pid, SIGKILL);
		while (!it_child_done(c))
			usleep(10000);
	}
}
