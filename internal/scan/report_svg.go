package scan

import (
	"fmt"
	"html"
	"html/template"
	"sort"
	"strings"
)

// Inline SVG charts for the HTML report, drawn here so that the page needs no script
// library and looks the same offline. Every text is escaped.

var severityColors = map[string]string{
	"critical": "#b71c1c", "high": "#e65100", "medium": "#f9a825", "low": "#1565c0", "none": "#9e9e9e",
}

var stepColors = map[string]string{
	StepAssumeRole: "#1565c0", StepCreateAccessKey: "#6a1b9a", StepCreateLoginProfile: "#6a1b9a", StepUpdateLoginProfile: "#6a1b9a",
	StepPassRole: "#00838f", StepUpdateTrustPolicy: "#ad1457", StepChangePolicies: "#b71c1c", StepSetDefaultVersion: "#b71c1c",
	StepRemoveBoundary: "#e65100", StepAddToGroup: "#2e7d32",
}

func esc(s string) string { return html.EscapeString(s) }

// riskChart is a bar chart of principals by their highest finding severity.
func riskChart(c SeverityCounts) template.HTML {
	rows := []struct {
		name string
		n    int
	}{{"critical", c.Critical}, {"high", c.High}, {"medium", c.Medium}, {"low", c.Low}, {"none", c.None}}
	max := 1
	for _, r := range rows {
		if r.n > max {
			max = r.n
		}
	}
	const w, barH, gap, left = 420, 26, 10, 80
	h := len(rows)*(barH+gap) + gap
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-label="Principals by risk" viewBox="0 0 %d %d" width="%d" height="%d">`, w, h, w, h)
	for i, r := range rows {
		y := gap + i*(barH+gap)
		bw := (w - left - 60) * r.n / max
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" class="lbl">%s</text>`, left-8, y+barH-8, esc(r.name))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="3" fill="%s"><title>%s: %d</title></rect>`, left, y, max1(bw), barH, severityColors[r.name], esc(r.name), r.n)
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="val">%d</text>`, left+max1(bw)+6, y+barH-8, r.n)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// serviceTotal is the granted (and used) actions of one service summed over principals.
type serviceTotal struct {
	service       string
	granted, used int
	hasUsed       bool
}

// serviceTotals sums each service's granted and used actions over every principal, most
// granted first, at most n.
func serviceTotals(r *Report, n int) []serviceTotal {
	m := map[string]*serviceTotal{}
	for _, p := range r.Principals {
		for _, sp := range p.Permissions.ByService {
			t := m[sp.Service]
			if t == nil {
				t = &serviceTotal{service: sp.Service}
				m[sp.Service] = t
			}
			t.granted += sp.Actions
			if sp.Used != nil {
				t.used += *sp.Used
				t.hasUsed = true
			}
		}
	}
	out := make([]serviceTotal, 0, len(m))
	for _, t := range m {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].granted != out[j].granted {
			return out[i].granted > out[j].granted
		}
		return out[i].service < out[j].service
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// serviceChart draws granted against used actions per service, summed over principals.
func serviceChart(r *Report) template.HTML {
	totals := serviceTotals(r, 15)
	if len(totals) == 0 {
		return template.HTML(`<p class="note">No principal is granted any action.</p>`)
	}
	max := 1
	for _, t := range totals {
		if t.granted > max {
			max = t.granted
		}
	}
	const w, barH, gap, left = 520, 18, 8, 150
	h := len(totals)*(barH+gap) + gap + 24
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-label="Granted and used actions by service" viewBox="0 0 %d %d" width="%d" height="%d">`, w, h, w, h)
	for i, t := range totals {
		y := gap + i*(barH+gap)
		gw := (w - left - 70) * t.granted / max
		uw := (w - left - 70) * t.used / max
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" class="lbl">%s</text>`, left-8, y+barH-5, esc(t.service))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#90a4ae"><title>%s: %d granted</title></rect>`, left, y, max1(gw), barH, esc(t.service), t.granted)
		if t.hasUsed {
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#2e7d32"><title>%s: %d used</title></rect>`, left, y+4, uw, barH-8, esc(t.service), t.used)
		}
		label := fmt.Sprintf("%d", t.granted)
		if t.hasUsed {
			label = fmt.Sprintf("%d / %d", t.used, t.granted)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="val">%s</text>`, left+max1(gw)+6, y+barH-5, label)
	}
	ly := h - 8
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="10" fill="#90a4ae"/><text x="%d" y="%d" class="lbl">granted (actions, summed over principals)</text>`, left, ly-9, left+16, ly)
	if r.Inputs.Usage != nil {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="10" fill="#2e7d32"/><text x="%d" y="%d" class="lbl">used</text>`, left+290, ly-9, left+306, ly)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// pathGraphLimit bounds the principals whose paths the graph draws (shortest first).
const pathGraphLimit = 40

// pathGraph draws the escalation paths: one box per principal (or principal in a changed
// state), in columns by the steps left to administrator (administrators on the right),
// one arrow per move, coloured and labelled by kind. It returns how many paths it left out.
func pathGraph(r *Report) (template.HTML, int) {
	type gnode struct {
		label string
		col   int
		admin bool
	}
	type gedge struct{ from, to, kinds string }
	nodes := map[string]*gnode{}
	seen := map[gedge]bool{}
	var edges []gedge
	var paths []PrincipalReport
	for _, p := range r.Principals {
		if p.AdminReachable && !p.IsAdmin && len(p.AdminPath) > 0 {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		return template.HTML(`<p class="note">No principal can become administrator through the escalation graph.</p>`), 0
	}
	sort.SliceStable(paths, func(i, j int) bool { return paths[i].AdminSteps < paths[j].AdminSteps })
	omitted := 0
	if len(paths) > pathGraphLimit {
		omitted = len(paths) - pathGraphLimit
		paths = paths[:pathGraphLimit]
	}
	put := func(id, label string, col int) *gnode {
		n := nodes[id]
		if n == nil {
			n = &gnode{label: label, col: col}
			nodes[id] = n
		}
		if col > n.col {
			n.col = col
		}
		return n
	}
	for _, p := range paths {
		cur := p.ARN
		put(cur, displayName(cur), len(p.AdminPath))
		var kinds []string
		for i, st := range p.AdminPath {
			kinds = append(kinds, st.Kind)
			left := len(p.AdminPath) - i - 1
			next, label := st.To, displayName(st.To)
			if st.State != "" {
				next, label = st.To+" | "+st.State, displayName(st.To)+" ("+st.State+")"
			}
			last := i == len(p.AdminPath)-1
			if next == cur && !last {
				continue // acts on something without moving: shown on the next arrow
			}
			if next == cur {
				next, label = "administrator | "+cur, "administrator: "+displayName(cur)
			}
			n := put(next, label, left)
			if last {
				n.admin = true
			}
			e := gedge{cur, next, strings.Join(kinds, " + ")}
			if !seen[e] {
				seen[e] = true
				edges = append(edges, e)
			}
			cur, kinds = next, nil
		}
	}
	maxCol, maxRows := 0, 0
	cols := map[int][]string{}
	for id, n := range nodes {
		cols[n.col] = append(cols[n.col], id)
		if n.col > maxCol {
			maxCol = n.col
		}
	}
	const colW, rowH, boxW, boxH, pad = 370, 46, 210, 30, 16
	pos := map[string][2]int{}
	row := map[string]float64{}
	// Columns are placed from the administrators leftwards; within a column, boxes are
	// ordered by the mean row of the boxes their arrows point to, so arrows cross less.
	for c := 0; c <= maxCol; c++ {
		ids := cols[c]
		key := map[string]float64{}
		for _, id := range ids {
			sum, n := 0.0, 0
			for _, e := range edges {
				if r, ok := row[e.to]; ok && e.from == id {
					sum += r
					n++
				}
			}
			if n > 0 {
				key[id] = sum / float64(n)
			}
		}
		sort.Slice(ids, func(i, j int) bool {
			if key[ids[i]] != key[ids[j]] {
				return key[ids[i]] < key[ids[j]]
			}
			if a, b := nodes[ids[i]].label, nodes[ids[j]].label; a != b {
				return a < b
			}
			return ids[i] < ids[j]
		})
		if len(ids) > maxRows {
			maxRows = len(ids)
		}
		for i, id := range ids {
			pos[id] = [2]int{pad + (maxCol-c)*colW, pad + i*rowH}
			row[id] = float64(i)
		}
	}
	w := pad*2 + maxCol*colW + boxW
	h := pad*2 + maxRows*rowH
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="graph" role="img" aria-label="Escalation paths" viewBox="0 0 %d %d" width="%d" height="%d">`, w, h, w, h)
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#455a64"/></marker></defs>`)
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].from != edges[j].from {
			return edges[i].from < edges[j].from
		}
		return edges[i].to < edges[j].to
	})
	for _, e := range edges {
		a, z := pos[e.from], pos[e.to]
		x1, y1 := a[0]+boxW, a[1]+boxH/2
		x2, y2 := z[0], z[1]+boxH/2
		color := stepColors[strings.Split(e.kinds, " + ")[0]]
		if color == "" {
			color = "#455a64"
		}
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2" marker-end="url(#arrow)"><title>%s</title></line>`, x1, y1, x2, y2, color, esc(e.kinds))
		// The label sits just after the arrow's start: each box starts few arrows, so labels
		// rarely meet, where mid-points of crossing arrows would.
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="edge" fill="%s">%s</text>`, x1+8, y1-6, color, esc(e.kinds))
	}
	ids := make([]string, 0, len(nodes))
	for id := range nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		n, p := nodes[id], pos[id]
		fill, stroke := "#eceff1", "#607d8b"
		if n.admin {
			fill, stroke = "#ffebee", "#b71c1c"
		}
		label := n.label
		if r := []rune(label); len(r) > 32 {
			label = string(r[:31]) + "…"
		}
		fmt.Fprintf(&b, `<g><rect x="%d" y="%d" width="%d" height="%d" rx="6" fill="%s" stroke="%s"/><text x="%d" y="%d" class="node">%s</text><title>%s</title></g>`,
			p[0], p[1], boxW, boxH, fill, stroke, p[0]+8, p[1]+boxH/2+4, esc(label), esc(n.label))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()), omitted
}
