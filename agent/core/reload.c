// SPDX-License-Identifier: GPL-2.0
/*
 * Reload (SIGHUP or `xlbctl reload`): parse and validate the whole file;
 * on any error the running config stays and the error goes back to the
 * caller and the log; otherwise only the difference is applied, and what
 * the new config asks that will not work is logged (config/warn.c), as at
 * start.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config/warn.h"
#include "core/xlbd.h"
#include "lib/log.h"

static void conf_warning(void *arg, int line, const char *msg)
{
	const struct xlb_conf *conf = arg;

	if (line)
		log_warnx("%s:%d: %s", conf->file, line, msg);
	else
		log_warnx("%s: %s", conf->file, msg);
}

void xlbd_conf_warnings(const struct xlb_conf *conf, bool xdp)
{
	conf_warn_routes(conf, conf_warning, (void *)conf);
	conf_warn_host(conf, xdp, conf_warning, (void *)conf);
}

int xlbd_reload(struct xlbd *d, char *err, size_t errlen)
{
	struct xlbd_metrics_change mc = {};
	char msg[CONF_ERR_MAX] = "";
	struct xlb_conf *conf;
	int rc;

	xlbd_notify_reloading(d);
	rc = conf_parse_file(d->conf_path, &conf, msg, sizeof(msg));
	if (!rc) {
		/* a metrics address that cannot be bound refuses the reload */
		rc = xlbd_metrics_prepare(d, conf, &mc, msg, sizeof(msg));
		if (!rc) {
			rc = xlbd_apply(d, conf, msg, sizeof(msg));
			xlbd_metrics_commit(d, &mc, d->conf == conf);
		}
		/* refused before anything changed: the new config is not ours */
		if (rc && d->conf != conf)
			conf_free(conf);
	}
	if (rc) {
		log_warnx("reload: %s; the running config stays", msg);
		snprintf(d->last_reload, sizeof(d->last_reload), "failed: %s", msg);
		d->reloads_failed++;
		d->last_reload_failed = true;
		if (err)
			snprintf(err, errlen, "%s", msg);
		xlbd_notify_reloaded(d, msg);
		return rc;
	}
	/* `xdp interface` cannot change in a reload */
	xlbd_conf_warnings(d->conf, false);
	xlbd_vipaddr_sync(d, false);
	xlbd_announce_changed(d);
	xlbd_state_save(d);
	snprintf(d->last_reload, sizeof(d->last_reload), "ok");
	d->reloads_ok++;
	d->last_reload_failed = false;
	d->config_loaded = time(NULL);
	xlbd_notify_reloaded(d, NULL);
	return 0;
}
