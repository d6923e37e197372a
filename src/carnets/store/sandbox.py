"""Query workers without a network: a seccomp filter refuses them every IPv4 and IPv6 socket.

pyoxigraph calls any endpoint a SERVICE clause names, from inside the engine. Reading the query
first decides what is allowed; this makes sure that a worker which should call nobody cannot,
whatever the query says. The filter is installed by the worker itself, before it reads a query,
and holds for every thread it starts afterwards; it cannot be lifted.
"""

from __future__ import annotations

import errno
import socket
import sys

from carnets.errors import CarnetsError


class SandboxError(CarnetsError):
    """The network could not be taken away from a query worker."""


def available() -> bool:
    """Whether this system can take the network away from a process (Linux with libseccomp)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import pyseccomp

        pyseccomp.SyscallFilter(defaction=pyseccomp.ALLOW)
    except Exception:  # no package, or no libseccomp.so.2 to load
        return False
    return True


def forbid_network() -> None:
    """From now on, this process cannot open IPv4, IPv6 or raw packet sockets, nor io_uring.

    Unix sockets and pipes (how a worker talks to the server) keep working. io_uring is refused
    because it can open sockets without the socket system call.
    """
    try:
        import pyseccomp as seccomp

        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        refuse = seccomp.ERRNO(errno.EACCES)
        for family in (socket.AF_INET, socket.AF_INET6, socket.AF_PACKET):
            rules.add_rule(refuse, "socket", seccomp.Arg(0, seccomp.EQ, family))
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "io_uring_setup")
        rules.set_attr(seccomp.Attr.CTL_TSYNC, 1)
        rules.load()
    except Exception as error:
        raise SandboxError(f"could not cut a query worker off the network: {error}") from None
