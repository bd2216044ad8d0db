package index

import (
	"fmt"
	"testing"
)

// judged is one query of the relevance set with the line a person pasting
// or typing it is looking for.
type judged struct {
	q    Query
	want string // doc ID of the expected first hit
}

// relevanceSet covers the shipped excerpts (every line by its paste
// variants) and the fictional fixture calls: curly/straight pairs,
// ellipses, dashes, inflections, names, filters, phrases, misspellings.
var relevanceSet = []judged{
	// Shipped: 2025-10-29-ushakov-dmitriev.
	{Query{Text: "word for word", Speaker: "dmitriev"}, "2025-10-29-ushakov-dmitriev#3"},
	{Query{Text: "dmitriev word for word"}, "2025-10-29-ushakov-dmitriev#3"},
	{Query{Text: "I’ll say it exactly as you say it"}, "2025-10-29-ushakov-dmitriev#3"},
	{Query{Text: "“They might not take”"}, "2025-10-29-ushakov-dmitriev#2"},
	{Query{Text: `"They might not take"`}, "2025-10-29-ushakov-dmitriev#2"},
	{Query{Text: "That's what I'm afraid of"}, "2025-10-29-ushakov-dmitriev#2"},
	{Query{Text: "thats what im afraid of"}, "2025-10-29-ushakov-dmitriev#2"},
	{Query{Text: "ushakov afraid"}, "2025-10-29-ushakov-dmitriev#2"},
	{Query{Text: "agreed with us", Speaker: "Ushakov"}, "2025-10-29-ushakov-dmitriev#2"},
	{Query{Text: "I'll informally pass it along"}, "2025-10-29-ushakov-dmitriev#1"},
	{Query{Text: "I’ll informally pass it along"}, "2025-10-29-ushakov-dmitriev#1"},
	{Query{Text: "Ill informally pass it along"}, "2025-10-29-ushakov-dmitriev#1"},
	{Query{Text: "informally passed"}, "2025-10-29-ushakov-dmitriev#1"},
	{Query{Text: "informaly pass"}, "2025-10-29-ushakov-dmitriev#1"},
	{Query{Text: "paper from our position..."}, "2025-10-29-ushakov-dmitriev#1"},
	// Shipped: 2025-10-14-witkoff-ushakov.
	{Query{Text: "man of peace"}, "2025-10-14-witkoff-ushakov#1"},
	{Query{Text: "“man of peace”"}, "2025-10-14-witkoff-ushakov#1"},
	{Query{Text: "man of piece"}, "2025-10-14-witkoff-ushakov#1"},
	{Query{Text: "youre really glad"}, "2025-10-14-witkoff-ushakov#1"},
	{Query{Text: "witkoff peace"}, "2025-10-14-witkoff-ushakov#1"},
	{Query{Text: "Russia Ukraine thing"}, "2025-10-14-witkoff-ushakov#2"},
	{Query{Text: "Russia-Ukraine thing"}, "2025-10-14-witkoff-ushakov#2"},
	{Query{Text: "Russia–Ukraine thing solved"}, "2025-10-14-witkoff-ushakov#2"},
	{Query{Text: "jumping for joy"}, "2025-10-14-witkoff-ushakov#2"},
	{Query{Text: "everybody jumping", Speaker: "SW"}, "2025-10-14-witkoff-ushakov#2"},
	{Query{Text: "only one problem... the Russian-Ukrainian war"}, "2025-10-14-witkoff-ushakov#3"},
	{Query{Text: "one problem… the Russian Ukrainian war"}, "2025-10-14-witkoff-ushakov#3"},
	// Fixture: 2024-03-02-lefevre-obrien.
	{Query{Text: "I won't sign anything"}, "2024-03-02-lefevre-obrien#6"},
	{Query{Text: "wont sign"}, "2024-03-02-lefevre-obrien#6"},
	{Query{Text: "the board's patience"}, "2024-03-02-lefevre-obrien#7"},
	{Query{Text: "naive version of the forecast"}, "2024-03-02-lefevre-obrien#8"},
	{Query{Text: "resume impressive"}, "2024-03-02-lefevre-obrien#1"},
	{Query{Text: "negotiated the last deal"}, "2024-03-02-lefevre-obrien#4"},
	{Query{Text: `"negotiating with the port"`}, "2024-03-02-lefevre-obrien#3"},
	{Query{Text: "negotiatng port"}, "2024-03-02-lefevre-obrien#3"},
	// Fixture: 2024-05-17-brandt-ibanez.
	{Query{Text: "routine delivery nothing more"}, "2024-05-17-brandt-ibanez#6"},
	{Query{Text: "understood routine delivery"}, "2024-05-17-brandt-ibanez#7"},
	{Query{Text: "dont put anything in writing"}, "2024-05-17-brandt-ibanez#4"},
	{Query{Text: "never put anything in writing"}, "2024-05-17-brandt-ibanez#5"},
	{Query{Text: "Ilse... thank you"}, "2024-05-17-brandt-ibanez#8"},
	{Query{Text: "rotterdan tuesday"}, "2024-05-17-brandt-ibanez#1"},
	{Query{Text: "brandt rotterdam"}, "2024-05-17-brandt-ibanez#1"},
	// Fixture: 2024-06-01-raman-jennings.
	{Query{Text: "delaying the vote"}, "2024-06-01-raman-jennings#2"},
	{Query{Text: "vote delayed recess"}, "2024-06-01-raman-jennings#1"},
	{Query{Text: "everybody has a price"}, "2024-06-01-raman-jennings#4"},
	{Query{Text: "thats not how i work"}, "2024-06-01-raman-jennings#5"},
	{Query{Text: "how this town works"}, "2024-06-01-raman-jennings#6"},
	{Query{Text: "call her office tomorrow", Speaker: "jennings"}, "2024-06-01-raman-jennings#7"},
	// Fixture: 2025-01-20-jennings-okafor.
	{Query{Text: "money moved through three accounts"}, "2025-01-20-jennings-okafor#1"},
	{Query{Text: "statements", Speaker: "okafor"}, "2025-01-20-jennings-okafor#3"},
	{Query{Text: "not a word to the senator"}, "2025-01-20-jennings-okafor#6"},
	{Query{Text: "senator speaker:hj after:2025-01-01"}, "2025-01-20-jennings-okafor#6"},
	{Query{Text: "informant"}, "2025-01-20-jennings-okafor#1"},
	// Fixture: 2025-02-03-okafor-lefevre.
	{Query{Text: "discretion costs"}, "2025-02-03-okafor-lefevre#6"},
	{Query{Text: "careful isnt the same as discreet"}, "2025-02-03-okafor-lefevre#5"},
	{Query{Text: "harbour contract", Speaker: "Renee Lefevre"}, "2025-02-03-okafor-lefevre#1"},
	{Query{Text: "okafor cafes"}, "2025-02-03-okafor-lefevre#2"},
	// Fixture: Russian and French.
	{Query{Text: "документы подписаны вчера"}, "2024-09-12-petrova-sokolov#2"},
	{Query{Text: "никому не говори"}, "2024-09-12-petrova-sokolov#3"},
	{Query{Text: "елка в офисе"}, "2024-09-12-petrova-sokolov#5"},
	{Query{Text: "c’est urgent"}, "2025-03-11-lefevre-brandt#1"},
}

// TestRelevance runs the judged set over the shipped and fixture calls in
// one index, prints success@1 and MRR (on stdout, so `make test` shows
// them) and fails below 0.95 success@1.
func TestRelevance(t *testing.T) {
	calls := append(shippedArchive(t).Calls, fixtureCalls()...)
	x, _ := buildOpen(t, newArchive("relevance", calls...))
	var first int
	var rr float64
	for _, j := range relevanceSet {
		j.q.Size = 10
		r := mustSearch(t, x, j.q)
		rank := 0
		for i, h := range r.Hits {
			if docID(h.Call, h.Line) == j.want {
				rank = i + 1
				break
			}
		}
		if rank == 1 {
			first++
		} else {
			t.Logf("%+v: want %s first, got %v", j.q, j.want, ids(r))
		}
		if rank > 0 {
			rr += 1 / float64(rank)
		}
	}
	n := float64(len(relevanceSet))
	s1, mrr := float64(first)/n, rr/n
	fmt.Printf("relevance: %d judged queries (shipped + fixture calls), success@1 %.3f, MRR %.3f\n", len(relevanceSet), s1, mrr)
	if len(relevanceSet) < 40 {
		t.Errorf("only %d judged queries, want at least 40", len(relevanceSet))
	}
	if s1 < 0.95 {
		t.Errorf("success@1 %.3f < 0.95", s1)
	}
}
