/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlbd's control socket: a unix stream socket served on the event loop.
 * Each connection carries one request (ctl/proto.h); the server reads it
 * under a size cap and a deadline, checks who is asking, decodes it,
 * resolves it against the command table (ctl/commands.h), calls the
 * daemon's dispatch callback with the canonical words, writes the response
 * without blocking and closes.
 *
 * Who may ask: the peer's credentials as the kernel recorded them at
 * connect() (SO_PEERCRED for uid and gid, SO_PEERGROUPS for the
 * supplementary groups) — nothing read from /proc (the pid may be gone
 * or reused) and no user-database lookups on the loop. Allowed: uid 0 (and
 * the daemon's own uid, should it run unprivileged), or, with a group
 * configured, a peer whose gid or one of whose supplementary groups is
 * that group. The socket file is root:GROUP (root:root without a group)
 * mode 0660 as well, so others cannot even connect. (SO_PEERGROUPS needs
 * Linux 4.13; where it is missing only the peer's primary gid counts.)
 *
 * Answered by the server itself, without dispatch: requests it cannot
 * decode or resolve (`error 2`, usage in the body), `help` requests (`ok`
 * and the help text), commands marked CTL_CMD_F_PLANNED (`error 1 ... not
 * implemented yet`), refused peers (`error 1 permission denied ...`),
 * clients past CTL_CLIENTS_MAX (`error 1 busy ...`), and clients that send
 * no complete line within CTL_READ_TIMEOUT_MS (`error 2 timed out ...`).
 * A slow or hostile client costs at most one slot for a bounded time and
 * never blocks the loop.
 */
#ifndef XLB_CTL_SERVER_H
#define XLB_CTL_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/buf.h"
#include "lib/evloop.h"

#define CTL_CLIENTS_MAX		16	/* connections served at once */
#define CTL_READ_TIMEOUT_MS	2000	/* from accept to the request's newline */
#define CTL_WRITE_TIMEOUT_MS	10000	/* to write the response */
#define CTL_BODY_MAX		(16u << 20) /* bytes of a response body */

struct ctl_request;

/*
 * The daemon's command handler. req is a valid, implemented command as
 * the resolver left it (ctl/commands.h: req->cmd->id says which, req->args
 * holds its arguments parsed, req->argv the canonical words), owned by
 * the server and valid until the callback returns; json asks for a JSON
 * body. Write the body into body (limit CTL_BODY_MAX: past it the client
 * gets `error 1 response too large`). Return CTL_OK (0), or
 * CTL_ERR_RUNTIME (1) / CTL_ERR_USAGE (2) with a one-line message in err
 * (errlen bytes, CTL_MSG_MAX); a body written along with an error is sent
 * too. Runs on the event loop: it must not block.
 */
typedef int (*ctl_dispatch_fn)(void *arg, const struct ctl_request *req, bool json,
			       struct buf *body, char *err, size_t errlen);



struct ctl_server;

/*
 * A handler that needs the network to answer (a write to etcd) calls
 * ctl_server_defer() during dispatch, returns CTL_DEFERRED and answers
 * later with ctl_server_answer(). Meanwhile the client holds its slot;
 * past CTL_DEFER_TIMEOUT_MS it is told `error 1 timed out` and the id
 * answers nothing any more.
 */
#define CTL_DEFERRED		3
#define CTL_DEFER_TIMEOUT_MS	15000
/* The id of the request being dispatched, for ctl_server_answer(); 0
 * outside a dispatch. */
uint64_t ctl_server_defer(struct ctl_server *s);
/* Answer a deferred request: status CTL_OK, or CTL_ERR_RUNTIME/USAGE with
 * msg; body (may be NULL) is sent as it is. -ENOENT if that client is gone
 * (disconnected, timed out, or already answered). */
int ctl_server_answer(struct ctl_server *s, uint64_t id, int status, const char *msg,
		      const struct buf *body);

/*
 * Create the socket at path and serve it on el: mkdir -p its directory
 * (0755), remove a stale socket left by a dead xlbd, bind, listen, chmod
 * 0660, chown root:group (group NULL: root only).
 * -EADDRINUSE: another process is listening on path. -EEXIST: path exists
 * and is not a socket (left alone). -ENOENT: group unknown.
 * -ENAMETOOLONG: path does not fit sockaddr_un. Else -errno of the failing
 * step.
 */
int ctl_server_open(struct evloop *el, const char *path, const char *group,
		    ctl_dispatch_fn fn, void *arg, struct ctl_server **out);

/* Drop every client, stop listening and remove the socket file (if it is
 * still the one this server created). NULL is a no-op. May be called from
 * the dispatch callback (a reload that moves the socket): the listener
 * and the file go at once, the client being answered gets its response
 * (as far as the socket takes it without waiting), then the rest goes. */
void ctl_server_close(struct ctl_server *s);

/* Resolve a group name (getgrnam_r): 0, -ENOENT if unknown, -errno. For
 * config checks (`xlbd -n`) that want to name the problem early. */
int ctl_group_resolve(const char *name, gid_t *gid);

/* Connections being served now. */
unsigned ctl_server_clients(const struct ctl_server *s);

/* mkdir -p the directory of a socket path (0755), as ctl_server_open()
 * does: for what xlbd keeps beside the socket before it opens it. */
int ctl_socket_dir_create(const char *path);

#endif
