// Linux interfaces that Swift's Glibc module leaves out.
#include <sys/timerfd.h>
#include <sys/eventfd.h>
#include <sys/sysinfo.h>

// Declared by <unistd.h> only under _GNU_SOURCE; glibc has it on every Linux.
int pipe2(int pipefd[2], int flags);
#include <sys/socket.h>
int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);
