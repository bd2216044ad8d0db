package transcript

// TurnCount returns how many turns the participant id speaks in c, whether
// or not c's lines are in memory (an archive read from a catalog knows the
// counts without reading the file).
func (a *Archive) TurnCount(c *Call, id string) int {
	if st := a.stored(c); st != nil {
		return st.turns[id]
	}
	n := 0
	for _, l := range c.Lines {
		if l.Kind == Turn && l.Speaker == id {
			n++
		}
	}
	return n
}
