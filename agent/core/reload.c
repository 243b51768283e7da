// SPDX-License-Identifier: GPL-2.0
/*
 * Reload (SIGHUP or `xlbctl reload`): parse and validate the whole file;
 * on any error the running config stays and the error goes back to the
 * caller and the log; otherwise only the difference is applied.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/xlbd.h"
#include "lib/log.h"

int xlbd_reload(struct xlbd *d, char *err, size_t errlen)
{
	struct xlbd_metrics_change mc = {};
	char msg[CONF_ERR_MAX] = "";
	struct xlb_conf *conf;
	int rc;

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
		return rc;
	}
	xlbd_vipaddr_sync(d, false);
	xlbd_announce_changed(d);
	xlbd_state_save(d);
	snprintf(d->last_reload, sizeof(d->last_reload), "ok");
	d->reloads_ok++;
	d->last_reload_failed = false;
	d->config_loaded = time(NULL);
	return 0;
}
