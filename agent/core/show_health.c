// SPDX-License-Identifier: GPL-2.0
/*
 * `xlbctl health show [VIP]`: every check of a VIP (its backends', or a
 * host-mode VIP's own), one line or object each as hc_show() renders it
 * (text or JSON, never both: `-j health show` is one JSON document).
 */
#include "core/show.h"
#include "health/health.h"
#include "lib/json.h"

void show_health(struct xlbd *d, const struct rt_vip *only, struct buf *text,
		 struct json_writer *w)
{
	size_t i, k, n = 0;

	/* one form: hc_show writes each it is given, and both would share
	 * the reply (text in the middle of the JSON) */
	if (w) {
		text = NULL;
		json_array_start(w);
	}
	for (i = 0; i < d->n_vips; i++) {
		const struct rt_vip *v = &d->vips[i];

		if (only && v != only)
			continue;
		if (v->hc) {
			hc_show(v->hc, w ? NULL : text, w);
			n++;
		}
		for (k = 0; k < v->n_backends; k++) {
			if (v->backends[k].hc) {
				hc_show(v->backends[k].hc, w ? NULL : text, w);
				n++;
			}
		}
	}
	if (w)
		json_array_end(w);
	else if (!n)
		buf_printf(text, "no health checks configured%s\n", only ? " for this VIP" : "");
}
