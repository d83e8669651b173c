package catalog

import (
	"fmt"
	"strings"
)

// AccessLevel is the access level AWS assigns to an action.
type AccessLevel uint8

// Access levels, in the order AWS's Service Authorization Reference lists them.
const (
	List AccessLevel = iota + 1
	Read
	Write
	PermissionsManagement
	Tagging
)

// AccessLevels lists every access level in order.
var AccessLevels = []AccessLevel{List, Read, Write, PermissionsManagement, Tagging}

// String gives AWS's text for the level ("Permissions management").
func (l AccessLevel) String() string {
	switch l {
	case List:
		return "List"
	case Read:
		return "Read"
	case Write:
		return "Write"
	case PermissionsManagement:
		return "Permissions management"
	case Tagging:
		return "Tagging"
	}
	return fmt.Sprintf("AccessLevel(%d)", uint8(l))
}

// ParseAccessLevel reads a level case-insensitively, also in the forms
// "permissions-management" and "permissionsmanagement".
func ParseAccessLevel(s string) (AccessLevel, error) {
	norm := strings.NewReplacer(" ", "", "-", "", "_", "").Replace(strings.ToLower(strings.TrimSpace(s)))
	switch norm {
	case "list":
		return List, nil
	case "read":
		return Read, nil
	case "write":
		return Write, nil
	case "permissionsmanagement":
		return PermissionsManagement, nil
	case "tagging":
		return Tagging, nil
	}
	return 0, fmt.Errorf("unknown access level %q (want List, Read, Write, Permissions management or Tagging)", s)
}

// accessLevelFromData maps iam-data's text to a level. The data writes some levels as
// "Tagging, Write" or "Permissions management, Write": the first is the level AWS's
// reference shows for the action, the second the generic kind, so the first wins.
func accessLevelFromData(s string) (AccessLevel, bool) {
	first, _, _ := strings.Cut(s, ",")
	l, err := ParseAccessLevel(first)
	return l, err == nil
}
