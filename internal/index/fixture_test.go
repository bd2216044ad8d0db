package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"backchannel/internal/transcript"
)

// The fixture archive: fictional people saying fictional things, written
// to exercise folding (curly and straight apostrophes, ellipses, dashes,
// diacritics), stemming, Cyrillic, names across calls and filters.

type fixLine struct {
	speaker string // participant ID, "" for a direction
	text    string
}

func fixCall(slug, date, lang string, ps []transcript.Participant, lines ...fixLine) *transcript.Call {
	c := &transcript.Call{
		Slug: slug, Title: "Fixture " + slug, Date: date, Language: lang,
		Completeness: transcript.Complete, Participants: ps, Format: "md",
	}
	for i, l := range lines {
		kind := transcript.Turn
		if l.speaker == "" {
			kind = transcript.Direction
		}
		c.Lines = append(c.Lines, transcript.Line{N: i + 1, Kind: kind, Speaker: l.speaker, Text: l.text, Time: float64(i * 30), SourceLine: i + 10})
	}
	return c
}

var (
	renee  = transcript.Participant{ID: "renee-lefevre", Name: "Renée Lefèvre", Role: "Fictional port consultant", Labels: []string{"RL"}}
	marcus = transcript.Participant{ID: "marcus-obrien", Name: "Marcus O’Brien", Role: "Fictional shipping agent", Labels: []string{"MO"}}
	ilse   = transcript.Participant{ID: "ilse-brandt", Name: "Ilse Brandt", Role: "Fictional freight broker", Labels: []string{"IB"}}
	tomas  = transcript.Participant{ID: "tomas-ibanez", Name: "Tomás Ibáñez", Role: "Fictional importer", Labels: []string{"TI"}}
	priya  = transcript.Participant{ID: "priya-raman", Name: "Priya Raman", Role: "Fictional lobbyist", Labels: []string{"PR"}}
	hal    = transcript.Participant{ID: "hal-jennings", Name: "Hal Jennings", Role: "Fictional chief of staff", Labels: []string{"HJ"}}
	jon    = transcript.Participant{ID: "jon-okafor", Name: "Jon Okafor", Role: "Fictional investigator", Labels: []string{"JO"}}
	anna   = transcript.Participant{ID: "anna-petrova", Name: "Анна Петрова", Role: "Fictional notary", Labels: []string{"AP"}}
	igor   = transcript.Participant{ID: "igor-sokolov", Name: "Игорь Соколов", Role: "Fictional clerk", Labels: []string{"IS"}}
)

func fixtureCalls() []*transcript.Call {
	ps := func(p ...transcript.Participant) []transcript.Participant { return p }
	return []*transcript.Call{
		fixCall("2024-03-02-lefevre-obrien", "2024-03-02", "en", ps(renee, marcus),
			fixLine{"renee-lefevre", "Good morning, Marcus. I’ve read the résumé you sent — it’s impressive."},
			fixLine{"marcus-obrien", "Thanks, Renée. Let's talk about the harbour contract... I don't think we can wait."},
			fixLine{"renee-lefevre", "We’re negotiating with the port authority – slowly."},
			fixLine{"marcus-obrien", "The café on the pier is where they negotiated the last deal."},
			fixLine{"", "[line goes quiet]"},
			fixLine{"renee-lefevre", "I won’t sign anything until the auditors have finished."},
			fixLine{"marcus-obrien", "Then we wait… but not for long. The board’s patience is thin."},
			fixLine{"renee-lefevre", "Send me the naïve version of the forecast, the one without the hedges."},
		),
		fixCall("2024-05-17-brandt-ibanez", "2024-05-17", "en", ps(ilse, tomas),
			fixLine{"ilse-brandt", "Tomás, the shipment left Rotterdam on Tuesday."},
			fixLine{"tomas-ibanez", "Good. Nobody at customs asked about the crates?"},
			fixLine{"ilse-brandt", "Nobody asked. They’re more interested in the paperwork than the cargo."},
			fixLine{"tomas-ibanez", "Keep it that way. Don't put anything in writing."},
			fixLine{"ilse-brandt", "I never put anything in writing, you know that."},
			fixLine{"tomas-ibanez", "If the journalists call, you say it's a routine delivery—nothing more."},
			fixLine{"ilse-brandt", "Understood. Routine delivery."},
			fixLine{"tomas-ibanez", "And Ilse... thank you. I mean it."},
		),
		fixCall("2024-06-01-raman-jennings", "2024-06-01", "en", ps(priya, hal),
			fixLine{"hal-jennings", "The senator wants the vote delayed until after the recess."},
			fixLine{"priya-raman", "Delaying the vote costs us two weeks. Can't we move faster?"},
			fixLine{"hal-jennings", "Not without the committee chair. She's stubborn."},
			fixLine{"priya-raman", "Then we persuade her. Everybody has a price — or a weakness."},
			fixLine{"hal-jennings", "That’s not how I work, Priya."},
			fixLine{"priya-raman", "It's how this town works, Hal."},
			fixLine{"hal-jennings", "I’ll call her office tomorrow morning."},
			fixLine{"priya-raman", "Call tonight. Tomorrow is too late."},
		),
		fixCall("2024-09-12-petrova-sokolov", "2024-09-12", "ru", ps(anna, igor),
			fixLine{"anna-petrova", "Игорь, документы уже подписаны?"},
			fixLine{"igor-sokolov", "Документы подписаны вчера вечером."},
			fixLine{"anna-petrova", "Хорошо. Никому не говори о встрече."},
			fixLine{"igor-sokolov", "Я никому не говорил и не скажу."},
			fixLine{"anna-petrova", "Ёлка в офисе ещё стоит?"},
			fixLine{"igor-sokolov", "Стоит. Елку уберут в понедельник."},
		),
		fixCall("2025-01-20-jennings-okafor", "2025-01-20", "en", ps(hal, jon),
			fixLine{"jon-okafor", "Hal, the informant says the money moved through three accounts."},
			fixLine{"hal-jennings", "Which accounts? I need names, not rumours."},
			fixLine{"jon-okafor", "Two in Cyprus, one in Delaware. I'll send the statements."},
			fixLine{"hal-jennings", "Send them informally. No emails."},
			fixLine{"jon-okafor", "Informally, then. I'll pass them along by hand."},
			fixLine{"hal-jennings", "Good. And Jon — not a word to the senator."},
			fixLine{"jon-okafor", "Not a word. You have my word for it."},
			fixLine{"hal-jennings", "Words are cheap. Statements aren't."},
		),
		fixCall("2025-02-03-okafor-lefevre", "2025-02-03", "en", ps(jon, renee),
			fixLine{"renee-lefevre", "Jon, who told you about the harbour contract?"},
			fixLine{"jon-okafor", "People talk. Especially in cafés."},
			fixLine{"renee-lefevre", "Then people should be more careful what they say in cafes."},
			fixLine{"jon-okafor", "I’m careful. I'm always careful."},
			fixLine{"renee-lefevre", "Being careful isn't the same as being discreet."},
			fixLine{"jon-okafor", "Discretion costs extra."},
		),
		fixCall("2025-03-11-lefevre-brandt", "2025-03-11", "fr", ps(renee, ilse),
			fixLine{"renee-lefevre", "Ilse, c’est urgent : le contrat du port est signé."},
			fixLine{"ilse-brandt", "Déjà ? Qui l’a signé ?"},
			fixLine{"renee-lefevre", "Le directeur lui-même, hier soir."},
		),
	}
}

// newArchive sorts calls as LoadDir does and gives the archive a hash.
func newArchive(hash string, calls ...*transcript.Call) *transcript.Archive {
	sort.SliceStable(calls, func(i, j int) bool {
		if calls[i].Date != calls[j].Date {
			return calls[i].Date < calls[j].Date
		}
		return calls[i].Slug < calls[j].Slug
	})
	return &transcript.Archive{Dir: "fixture", Calls: calls, Hash: hash}
}

func fixtureArchive() *transcript.Archive { return newArchive("fixture-1", fixtureCalls()...) }

// shippedArchive loads the two shipped excerpts.
func shippedArchive(tb testing.TB) *transcript.Archive {
	tb.Helper()
	a, ps := transcript.LoadDir("../../transcripts")
	if ps.HasErrors() {
		tb.Fatalf("load shipped transcripts: %v", ps)
	}
	if len(a.Calls) == 0 {
		tb.Fatal("no shipped transcripts")
	}
	return a
}

// buildOpen builds a in a temporary data folder and opens it.
func buildOpen(tb testing.TB, a *transcript.Archive) (*Index, string) {
	tb.Helper()
	return buildOpenWith(tb, a, BuildOptions{})
}

// buildOpenWith is buildOpen with build options.
func buildOpenWith(tb testing.TB, a *transcript.Archive, opts BuildOptions) (*Index, string) {
	tb.Helper()
	dir := tb.TempDir()
	if _, err := testBuild(tb.Context(), dir, a, opts); err != nil {
		tb.Fatalf("Build: %v", err)
	}
	x, err := testOpen(dir)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { _ = x.Close() })
	return x, dir
}

// mustSearch runs q and fails the test on error.
func mustSearch(tb testing.TB, x *Index, q Query) *Result {
	tb.Helper()
	r, err := x.Search(tb.Context(), q)
	if err != nil {
		tb.Fatalf("Search(%+v): %v", q, err)
	}
	return r
}

func ids(r *Result) []string {
	out := make([]string, len(r.Hits))
	for i, h := range r.Hits {
		out[i] = docID(h.Call, h.Line)
	}
	return out
}

// Test data folders. Build writes each index into a folder of its own and
// the caller (package library) keeps track of the current one; these tests
// keep a file "current" naming the newest index folder of a data folder,
// so that a test can build again from it as the library does.
const testCurrentFile = "current"

// testBuild builds a into a new index folder under dataDir, from the
// current one when there is one (unless opts.From is set), and makes it
// current when the build succeeds.
func testBuild(ctx context.Context, dataDir string, a *transcript.Archive, opts BuildOptions) (BuildStats, error) {
	if opts.From == "" {
		opts.From, _ = testCurrent(dataDir)
	}
	entries, _ := os.ReadDir(dataDir)
	dir := filepath.Join(dataDir, fmt.Sprintf("index-%03d", len(entries)))
	st, err := Build(ctx, dir, a, opts)
	if err != nil {
		return st, err
	}
	return st, os.WriteFile(filepath.Join(dataDir, testCurrentFile), []byte(filepath.Base(dir)), 0o644)
}

// testCurrent returns the current index folder of dataDir, or an error
// wrapping ErrNoIndex.
func testCurrent(dataDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, testCurrentFile))
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoIndex, err)
	}
	return filepath.Join(dataDir, string(b)), nil
}

// testOpen opens the current index of dataDir.
func testOpen(dataDir string) (*Index, error) {
	dir, err := testCurrent(dataDir)
	if err != nil {
		return nil, err
	}
	return Open(dir)
}
