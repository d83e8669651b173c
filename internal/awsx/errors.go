package awsx

import (
	"errors"

	"github.com/aws/smithy-go"
)

// ErrNotFound is returned (wrapped) when IAM answers NoSuchEntity: the principal, policy or
// version does not exist.
var ErrNotFound = errors.New("not found")

// IsNotFound reports whether err means the entity does not exist, from this package's
// ErrNotFound or straight from IAM.
func IsNotFound(err error) bool {
	if errors.Is(err, ErrNotFound) {
		return true
	}
	return hasCode(err, "NoSuchEntity")
}

// hasCode reports whether err carries the given AWS error code.
func hasCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

// notFound wraps an IAM NoSuchEntity error so that errors.Is(err, ErrNotFound) holds, and
// leaves every other error as it is.
func notFound(err error, what string) error {
	if hasCode(err, "NoSuchEntity") {
		return &notFoundError{what: what, err: err}
	}
	return err
}

type notFoundError struct {
	what string
	err  error
}

func (e *notFoundError) Error() string { return e.what + " not found: " + e.err.Error() }

func (e *notFoundError) Unwrap() []error { return []error{ErrNotFound, e.err} }
