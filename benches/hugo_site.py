#!/usr/bin/env python3
# Copied from the shared reference bench (shared/bench/hugo_site.py, next to this repository) so the
# Hugo comparison in benches/compare.sh and README "Performance" can be re-run from the repo alone.
"""A Hugo site of N incident-like pages (front matter + a 15-row table + a paragraph) and one register
page listing them all: the same page count and shape as an N-incident evidence site.
usage: hugo_site.py DIR N"""
import os, sys, random
d, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(1)
os.makedirs(f"{d}/content/incidents", exist_ok=True)
os.makedirs(f"{d}/layouts/_default", exist_ok=True)
open(f"{d}/hugo.toml", "w").write('baseURL = "/"\ntitle = "evidence"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n[pagination]\npagerSize = 1000000\n')
open(f"{d}/layouts/_default/baseof.html", "w").write('<!doctype html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>')
open(f"{d}/layouts/_default/single.html", "w").write('{{ define "main" }}<h1>{{ .Title }}</h1><table>{{ range $k, $v := .Params.fields }}<tr><th>{{ $k }}</th><td>{{ $v }}</td></tr>{{ end }}</table>{{ .Content }}<a href="../">register</a>{{ end }}')
open(f"{d}/layouts/_default/list.html", "w").write('{{ define "main" }}<table>{{ range .Pages }}<tr><td><a href="{{ .RelPermalink }}">{{ .Title }}</a></td><td>{{ .Params.fields.severity }}</td><td>{{ .Params.fields.created }}</td></tr>{{ end }}</table>{{ end }}')
for i in range(n):
    fields = "\n".join(f'  f{k:02d} = "{rng.random():.6f}"' for k in range(13))
    open(f"{d}/content/incidents/{5000 + i}.md", "w").write(
        f'+++\ntitle = "Incident {5000 + i}: checkout-api 5xx rate above 2%"\n[fields]\n  severity = "P{1 + i % 4}"\n  created = "2026-03-0{1 + i % 9}T10:00:00Z"\n{fields}\n+++\n'
        "The incident was detected by a monitor, acknowledged by the on-call engineer and resolved after a rollback.\n")
