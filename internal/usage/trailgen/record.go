package trailgen

import (
	"strings"
	"time"
)

const timeLayout = "2006-01-02T15:04:05Z"

// writeRecord appends one CloudTrail record in AWS's field order and returns the truth
// key of the event.
func (g *fileGen) writeRecord(p *principal, o *op, t time.Time) truthKey {
	r := g.r
	w := &g.w
	e := &ev{w: w, r: r, p: p, region: g.region, account: g.world.account}
	if p.kind == kindCrossAccount {
		e.account = g.world.account // the auditor reads this account's resources
	}
	x := r.IntN(1000)
	switch {
	case x < 30:
		e.errKind = errDenied
	case x < 40:
		e.errKind = errThrottled
	case x < 55 && o.notFound != "":
		e.errKind = errNotFound
	}
	if p.kind == kindService {
		e.errKind = errNone
	}
	version := "1.08"
	if o.data {
		version = "1.09"
	}
	session := ""
	w.obj()
	w.ks("eventVersion", version)
	w.ko("userIdentity")
	switch p.kind {
	case kindUser:
		w.ks("type", "IAMUser")
		w.ks("principalId", p.principalID)
		w.ks("arn", p.arn)
		w.ks("accountId", p.account)
		w.ks("accessKeyId", randID(r, "AKIA", 16))
		w.ks("userName", p.name)
	case kindRole, kindCrossAccount:
		session = pick(r, p.sessions)
		roleName := p.arn[strings.LastIndexByte(p.arn, '/')+1:]
		w.ks("type", "AssumedRole")
		w.ks("principalId", p.principalID+":"+session)
		w.ks("arn", "arn:aws:sts::"+p.account+":assumed-role/"+roleName+"/"+session)
		w.ks("accountId", p.account)
		w.ks("accessKeyId", randID(r, "ASIA", 16))
		w.ko("sessionContext")
		w.ko("sessionIssuer")
		w.ks("type", "Role")
		w.ks("principalId", p.principalID)
		w.ks("arn", p.arn)
		w.ks("accountId", p.account)
		w.ks("userName", roleName)
		w.endObj()
		w.ko("attributes")
		w.ks("creationDate", t.Add(-time.Duration(r.IntN(3600))*time.Second).Format(timeLayout))
		w.ks("mfaAuthenticated", "false")
		w.endObj()
		w.endObj()
	case kindFederated:
		w.ks("type", "FederatedUser")
		w.ks("principalId", p.principalID)
		w.ks("arn", "arn:aws:sts::"+p.account+":federated-user/"+p.name)
		w.ks("accountId", p.account)
		w.ks("accessKeyId", randID(r, "ASIA", 16))
		w.ko("sessionContext")
		w.ko("sessionIssuer")
		w.ks("type", "IAMUser")
		w.ks("principalId", p.issuerID)
		w.ks("arn", p.issuerARN)
		w.ks("accountId", p.account)
		w.ks("userName", p.issuer)
		w.endObj()
		w.ko("webIdFederationData")
		w.endObj()
		w.ko("attributes")
		w.ks("creationDate", t.Add(-time.Duration(r.IntN(3600))*time.Second).Format(timeLayout))
		w.ks("mfaAuthenticated", "false")
		w.endObj()
		w.endObj()
	case kindRoot:
		w.ks("type", "Root")
		w.ks("principalId", p.principalID)
		w.ks("arn", p.arn)
		w.ks("accountId", p.account)
		w.ks("accessKeyId", randID(r, "ASIA", 16))
	case kindService:
		w.ks("type", "AWSService")
		w.ks("invokedBy", p.invokedBy)
	}
	w.endObj()
	w.ks("eventTime", t.Format(timeLayout))
	w.ks("eventSource", o.source)
	w.ks("eventName", o.name)
	w.ks("awsRegion", g.region)
	if p.kind == kindService {
		w.ks("sourceIPAddress", p.invokedBy)
		w.ks("userAgent", p.invokedBy)
	} else {
		w.ks("sourceIPAddress", pick(r, p.sourceIPs))
		w.ks("userAgent", agentFor(pick(r, p.userAgents), o))
	}
	if e.errKind != errNone {
		code, msg := o.errorCode(e.errKind)
		w.ks("errorCode", code)
		w.ks("errorMessage", msg)
	}
	w.key("requestParameters")
	if o.params != nil {
		o.params(e)
	} else {
		w.null()
	}
	w.key("responseElements")
	if o.response != nil && e.errKind == errNone {
		o.response(e)
	} else {
		w.null()
	}
	if o.extra != nil {
		w.key("additionalEventData")
		o.extra(e)
	}
	if o.style == styleS3 {
		w.ks("requestID", randID(r, "", 16))
	} else {
		w.ks("requestID", uuid(r))
	}
	w.ks("eventID", uuid(r))
	w.kb("readOnly", o.readOnly)
	if o.resources != nil {
		w.key("resources")
		o.resources(e)
	}
	w.ks("eventType", "AwsApiCall")
	w.kb("managementEvent", !o.data)
	w.ks("recipientAccountId", g.world.account)
	if p.kind == kindService {
		w.ks("sharedEventID", uuid(r))
	}
	if o.data && r.IntN(4) == 0 {
		w.ks("vpcEndpointId", "vpce-0"+hexString(r, 16))
		w.ks("vpcEndpointAccountId", g.world.account)
	}
	if o.data {
		w.ks("eventCategory", "Data")
	} else {
		w.ks("eventCategory", "Management")
	}
	if p.kind != kindService {
		w.ko("tlsDetails")
		w.ks("tlsVersion", "TLSv1.3")
		w.ks("cipherSuite", "TLS_AES_128_GCM_SHA256")
		host := o.source[:len(o.source)-len("amazonaws.com")] + g.region + ".amazonaws.com"
		if e.bucket != "" {
			host = e.s3Host(e.bucket)
		}
		w.ks("clientProvidedHostHeader", host)
		w.endObj()
	}
	w.endObj()
	return truthKey{Principal: truthPrincipal(p, g.world), EventSource: o.source, EventName: o.name, Denied: e.errKind == errDenied}
}

// writeSignIn appends a console sign-in record (eventType AwsConsoleSignIn).
func (g *fileGen) writeSignIn(p *principal, t time.Time) truthKey {
	r := g.r
	w := &g.w
	w.obj()
	w.ks("eventVersion", "1.09")
	w.ko("userIdentity")
	if p.kind == kindRoot {
		w.ks("type", "Root")
		w.ks("principalId", p.principalID)
		w.ks("arn", p.arn)
		w.ks("accountId", p.account)
	} else {
		w.ks("type", "IAMUser")
		w.ks("principalId", p.principalID)
		w.ks("arn", p.arn)
		w.ks("accountId", p.account)
		w.ks("userName", p.name)
	}
	w.endObj()
	w.ks("eventTime", t.Format(timeLayout))
	w.ks("eventSource", "signin.amazonaws.com")
	w.ks("eventName", "ConsoleLogin")
	w.ks("awsRegion", "us-east-1")
	w.ks("sourceIPAddress", pick(r, p.sourceIPs))
	w.ks("userAgent", consoleAgent)
	w.key("requestParameters")
	w.null()
	w.ko("responseElements")
	w.ks("ConsoleLogin", "Success")
	w.endObj()
	w.ko("additionalEventData")
	w.ks("LoginTo", "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_"+hexString(r, 16))
	w.ks("MobileVersion", "No")
	if p.mfa {
		w.ks("MFAIdentifier", "arn:aws:iam::"+p.account+":mfa/"+p.name)
		w.ks("MFAUsed", "Yes")
	} else {
		w.ks("MFAUsed", "No")
	}
	w.endObj()
	w.ks("eventID", uuid(r))
	w.kb("readOnly", false)
	w.ks("eventType", "AwsConsoleSignIn")
	w.kb("managementEvent", true)
	w.ks("recipientAccountId", g.world.account)
	w.ks("eventCategory", "Management")
	w.ko("tlsDetails")
	w.ks("tlsVersion", "TLSv1.3")
	w.ks("cipherSuite", "TLS_AES_128_GCM_SHA256")
	w.ks("clientProvidedHostHeader", "signin.aws.amazon.com")
	w.endObj()
	w.endObj()
	return truthKey{Principal: truthPrincipal(p, g.world), EventSource: "signin.amazonaws.com", EventName: "ConsoleLogin", NonAPI: true}
}

// writeServiceEvent appends an AwsServiceEvent record (a service acting on its own).
func (g *fileGen) writeServiceEvent(t time.Time) truthKey {
	r := g.r
	w := &g.w
	key := g.world.principals[0].res.keys[0]
	w.obj()
	w.ks("eventVersion", "1.08")
	w.ko("userIdentity")
	w.ks("accountId", g.world.account)
	w.ks("invokedBy", "kms.amazonaws.com")
	w.endObj()
	w.ks("eventTime", t.Format(timeLayout))
	w.ks("eventSource", "kms.amazonaws.com")
	w.ks("eventName", "RotateKey")
	w.ks("awsRegion", g.region)
	w.ks("sourceIPAddress", "kms.amazonaws.com")
	w.ks("userAgent", "kms.amazonaws.com")
	w.key("requestParameters")
	w.null()
	w.key("responseElements")
	w.null()
	w.ks("eventID", uuid(r))
	w.kb("readOnly", false)
	w.ka("resources")
	w.obj()
	w.ks("accountId", g.world.account)
	w.ks("type", "AWS::KMS::Key")
	w.ks("ARN", "arn:aws:kms:"+g.region+":"+g.world.account+":key/"+key)
	w.endObj()
	w.endArr()
	w.ks("eventType", "AwsServiceEvent")
	w.kb("managementEvent", true)
	w.ks("recipientAccountId", g.world.account)
	w.ks("eventCategory", "Management")
	w.endObj()
	return truthKey{Principal: "aws-service-event:kms.amazonaws.com", EventSource: "kms.amazonaws.com", EventName: "RotateKey"}
}

func agentFor(ua string, o *op) string {
	api := o.source[:len(o.source)-len(".amazonaws.com")]
	out := make([]byte, 0, len(ua)+len(api))
	for i := 0; i < len(ua); i++ {
		if ua[i] == '%' && i+1 < len(ua) && ua[i+1] == 's' {
			out = append(out, api...)
			i++
			continue
		}
		out = append(out, ua[i])
	}
	return string(out)
}

// truthPrincipal is the key the digest should attribute the event to.
func truthPrincipal(p *principal, w *world) string {
	switch p.kind {
	case kindService:
		return "aws-service:" + p.invokedBy
	case kindCrossAccount:
		return "other-account:" + w.other
	}
	return p.arn
}
