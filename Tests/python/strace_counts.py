"""Counting what an idle process did, from `strace -f -o FILE -p PID` output (make bench, make test-system)."""


def system_calls(trace):
    """{system call: count}, leaving out each thread's call in progress when strace attached."""
    calls, attached = {}, set()
    for line in trace.splitlines():
        fields = line.split()
        if len(fields) < 2 or fields[1].startswith(("<...", "+++", "---")):
            continue
        if fields[0] not in attached:
            # Each thread's first line is the call it was blocked in when strace attached.
            attached.add(fields[0])
            if "<unfinished ...>" in line or fields[1].startswith("restart_syscall"):
                continue
        name = fields[1].split("(")[0]
        calls[name] = calls.get(name, 0) + 1
    return calls


# One watchdog ping is one wake-up of the event loop: epoll_wait, the timerfd's read, sendto (or
# sendmsg) to the notify socket, timerfd_settime for the next one.
WATCHDOG_PING_CYCLE = {"epoll_wait", "read", "sendto", "sendmsg", "timerfd_settime"}
