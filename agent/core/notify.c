// SPDX-License-Identifier: GPL-2.0
/*
 * Telling systemd where xlbd is (sd_notify, libsystemd; a no-op without
 * NOTIFY_SOCKET, so outside systemd nothing happens), for a Type=notify
 * unit:
 *
 *   READY=1       once the datapath is attached, the config applied and
 *                 every table written, and the control socket listens:
 *                 `systemctl start` returns when xlbd can be used;
 *   RELOADING=1   when a reload starts, with MONOTONIC_USEC (systemd 253's
 *                 Type=notify-reload wants it to tell reloads apart;
 *                 Debian 12's systemd 252 ignores it), and READY=1 again
 *                 when it is done, applied or refused;
 *   STOPPING=1    when the graceful shutdown starts;
 *   STATUS=       a one-line summary (`systemctl status` shows it): VIPs
 *                 announced, BGP sessions up, the datapath — at each of
 *                 these and whenever the announced set changes.
 */
#include <stdio.h>
#include <time.h>
#include <systemd/sd-daemon.h>

#include "bgp/speaker.h"
#include "core/xlbd.h"
#include "maps/dataplane.h"

/* "12 VIPs, 10 announced; BGP 2/2 established; XDP on eth0 (native)" */
static void status_line(struct xlbd *d, char *s, size_t len)
{
	size_t i, n, up = 0, announced = 0, at;

	for (i = 0; i < d->n_vips; i++)
		announced += d->vips[i].last_route == BGP_ROUTE_ANNOUNCED;
	at = snprintf(s, len, "%zu VIP%s, %zu announced", d->n_vips, d->n_vips == 1 ? "" : "s",
		      announced);
	if (d->bgp && at < len) {
		struct bgp_peer *const *peers = bgp_speaker_peers(d->bgp, &n);

		for (i = 0; i < n; i++)
			up += peers[i]->state == BGP_ESTABLISHED;
		at += snprintf(s + at, len - at, "; BGP %zu/%zu established", up, n);
	}
	if (at < len)
		snprintf(s + at, len - at, "; %s%s%s%s", d->dp ? "XDP on " : "host mode",
			 d->dp ? d->conf->xdp_ifname : "", d->dp ? " " : "",
			 d->dp ? (xlb_dp_adopted(d->dp) ? "(taken over)" : "(attached)") : "");
}

void xlbd_notify_ready(struct xlbd *d)
{
	char s[256];

	status_line(d, s, sizeof(s));
	sd_notifyf(0, "READY=1\nSTATUS=%s", s);
}

void xlbd_notify_reloading(struct xlbd *d)
{
	struct timespec ts;

	(void)d;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nSTATUS=reloading %s\nMONOTONIC_USEC=%llu", d->conf_path,
		   (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
}

void xlbd_notify_reloaded(struct xlbd *d, const char *error)
{
	char s[256];

	status_line(d, s, sizeof(s));
	if (error)
		sd_notifyf(0, "READY=1\nSTATUS=reload refused (%.180s); %s", error, s);
	else
		sd_notifyf(0, "READY=1\nSTATUS=%s", s);
}

void xlbd_notify_stopping(struct xlbd *d)
{
	(void)d;
	sd_notify(0, "STOPPING=1\nSTATUS=shutting down: BGP drain, then exit");
}

void xlbd_notify_status(struct xlbd *d)
{
	char s[256];

	status_line(d, s, sizeof(s));
	sd_notifyf(0, "STATUS=%s", s);
}
