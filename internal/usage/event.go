package usage

import (
	"time"
)

// Record is the part of one CloudTrail record the digest needs. Byte slices point into the
// reader's window (or scratch buffer) and are valid only until the next record is read, so
// that reading allocates nothing per event.
type Record struct {
	EventTime          []byte
	EventSource        []byte
	EventName          []byte
	AWSRegion          []byte
	ErrorCode          []byte
	RecipientAccountID []byte
	EventType          []byte
	EventCategory      []byte
	ManagementEvent    int8 // 1 true, 0 false, -1 absent
	Identity           Identity
	Params             [numParams][]byte
	Resources          []ResourceRef
}

// Identity is userIdentity, with the session issuer flattened in.
type Identity struct {
	Type        []byte
	PrincipalID []byte
	ARN         []byte
	AccountID   []byte
	InvokedBy   []byte
	UserName    []byte
	IssuerType  []byte // sessionContext.sessionIssuer.type
	IssuerARN   []byte // sessionContext.sessionIssuer.arn
}

// ResourceRef is one entry of the record's resources field.
type ResourceRef struct {
	ARN, Type, AccountID []byte
}

// maxRecordResources caps the resources kept per record; the rest are only resources, not
// events, and the digest keeps a bounded sample anyway.
const maxRecordResources = 16

// param indexes the request parameters the digest reads to name resources.
type param uint8

const (
	pBucketName param = iota
	pKey
	pVersionID
	pCopySource
	pRoleName
	pUserName
	pGroupName
	pPolicyArn
	pInstanceProfileName
	pRoleArn
	pFunctionName
	pTableName
	pQueueURL
	pTopicArn
	pSecretID
	pKeyID
	pLogGroupName
	pLogStreamName
	pName
	pRepositoryName
	pStreamName
	pStateMachineArn
	pStackName
	numParams
)

func paramIndex(key []byte) (param, bool) {
	switch string(key) {
	case "bucketName":
		return pBucketName, true
	case "key":
		return pKey, true
	case "versionId":
		return pVersionID, true
	case "x-amz-copy-source":
		return pCopySource, true
	case "roleName":
		return pRoleName, true
	case "userName":
		return pUserName, true
	case "groupName":
		return pGroupName, true
	case "policyArn":
		return pPolicyArn, true
	case "instanceProfileName":
		return pInstanceProfileName, true
	case "roleArn":
		return pRoleArn, true
	case "functionName":
		return pFunctionName, true
	case "tableName":
		return pTableName, true
	case "queueUrl":
		return pQueueURL, true
	case "topicArn":
		return pTopicArn, true
	case "secretId":
		return pSecretID, true
	case "keyId":
		return pKeyID, true
	case "logGroupName":
		return pLogGroupName, true
	case "logStreamName":
		return pLogStreamName, true
	case "name":
		return pName, true
	case "repositoryName":
		return pRepositoryName, true
	case "streamName":
		return pStreamName, true
	case "stateMachineArn":
		return pStateMachineArn, true
	case "stackName":
		return pStackName, true
	}
	return 0, false
}

func (r *Record) reset() {
	res := r.Resources[:0]
	*r = Record{ManagementEvent: -1, Resources: res}
}

// parseRecord reads one record object at the scanner's position.
func (s *scanner) parseRecord(r *Record) error {
	r.reset()
	return s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "eventTime":
			r.EventTime, err = s.strOrNull("eventTime")
		case "eventSource":
			r.EventSource, err = s.strOrNull("eventSource")
		case "eventName":
			r.EventName, err = s.strOrNull("eventName")
		case "awsRegion":
			r.AWSRegion, err = s.strOrNull("awsRegion")
		case "errorCode":
			r.ErrorCode, err = s.strOrNull("errorCode")
		case "recipientAccountId":
			r.RecipientAccountID, err = s.strOrNull("recipientAccountId")
		case "eventType":
			r.EventType, err = s.strOrNull("eventType")
		case "eventCategory":
			r.EventCategory, err = s.strOrNull("eventCategory")
		case "managementEvent":
			r.ManagementEvent, err = s.boolOrNull("managementEvent")
		case "userIdentity":
			err = s.parseIdentity(&r.Identity)
		case "requestParameters":
			err = s.parseParams(r)
		case "resources":
			err = s.parseResources(r)
		default:
			err = s.skip(1)
		}
		return err
	})
}

func (s *scanner) parseIdentity(id *Identity) error {
	return s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "type":
			id.Type, err = s.strOrNull("userIdentity.type")
		case "principalId":
			id.PrincipalID, err = s.strOrNull("userIdentity.principalId")
		case "arn":
			id.ARN, err = s.strOrNull("userIdentity.arn")
		case "accountId":
			id.AccountID, err = s.strOrNull("userIdentity.accountId")
		case "invokedBy":
			id.InvokedBy, err = s.strOrNull("userIdentity.invokedBy")
		case "userName":
			id.UserName, err = s.strOrNull("userIdentity.userName")
		case "sessionContext":
			err = s.object(func(key []byte) error {
				if string(key) != "sessionIssuer" {
					return s.skip(3)
				}
				return s.object(func(key []byte) error {
					var err error
					switch string(key) {
					case "type":
						id.IssuerType, err = s.strOrNull("sessionIssuer.type")
					case "arn":
						id.IssuerARN, err = s.strOrNull("sessionIssuer.arn")
					default:
						err = s.skip(4)
					}
					return err
				})
			})
		default:
			err = s.skip(2)
		}
		return err
	})
}

// parseParams keeps the string values of the known request parameters; other parameters,
// and known ones whose value is not a string, are skipped.
func (s *scanner) parseParams(r *Record) error {
	return s.object(func(key []byte) error {
		p, ok := paramIndex(key)
		if !ok {
			return s.skip(2)
		}
		c, err := s.peek()
		if err != nil {
			return err
		}
		if c != '"' {
			return s.skip(2)
		}
		r.Params[p], err = s.str()
		return err
	})
}

func (s *scanner) parseResources(r *Record) error {
	return s.array(func() error {
		var ref ResourceRef
		err := s.object(func(key []byte) error {
			var err error
			switch string(key) {
			case "ARN", "arn":
				ref.ARN, err = s.strOrNull("resources.ARN")
			case "type":
				ref.Type, err = s.strOrNull("resources.type")
			case "accountId":
				ref.AccountID, err = s.strOrNull("resources.accountId")
			default:
				err = s.skip(3)
			}
			return err
		})
		if err == nil && len(ref.ARN) > 0 && len(r.Resources) < maxRecordResources {
			r.Resources = append(r.Resources, ref)
		}
		return err
	})
}

// parseEventTime reads CloudTrail's eventTime ("2024-01-02T03:04:05Z") as Unix seconds,
// with a fast path for that exact form and RFC 3339 for any other.
func parseEventTime(b []byte) (int64, bool) {
	if len(b) == 20 && b[4] == '-' && b[7] == '-' && b[10] == 'T' && b[13] == ':' && b[16] == ':' && b[19] == 'Z' {
		y, ok1 := digits(b[0:4])
		mo, ok2 := digits(b[5:7])
		d, ok3 := digits(b[8:10])
		h, ok4 := digits(b[11:13])
		mi, ok5 := digits(b[14:16])
		sec, ok6 := digits(b[17:19])
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysIn(mo, y) && h < 24 && mi < 60 && sec < 61 {
			return daysFromCivil(y, mo, d)*86400 + int64(h*3600+mi*60+sec), true
		}
		return 0, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return 0, false
	}
	return t.Unix(), true
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is the number of days from 1970-01-01 to y-m-d (proleptic Gregorian).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}
