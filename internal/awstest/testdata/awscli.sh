#!/usr/bin/env bash
# The AWS CLI v2 against a ciem sandbox: an admin creates a user and a policy,
# attaches it, creates an access key; the user calls S3 (one call allowed, one
# denied with AccessDenied); both calls are then found with cloudtrail lookup-events.
#
# Needs: AWS_CLI (path to the AWS CLI v2), AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY and AWS_REGION (as `ciem sandbox` prints them).
set -euo pipefail

: "${AWS_CLI:?path to the AWS CLI v2}" "${AWS_ENDPOINT_URL:?}" "${AWS_ACCESS_KEY_ID:?}" "${AWS_SECRET_ACCESS_KEY:?}" "${AWS_REGION:?}"
export AWS_DEFAULT_REGION="$AWS_REGION" AWS_PAGER="" AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
# AWS CLI 2.9 (Debian 12) predates AWS_ENDPOINT_URL: pass the endpoint explicitly.
aws() { "$AWS_CLI" --endpoint-url "$AWS_ENDPOINT_URL" --output text "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

step "admin creates a user, a policy, attaches it and creates an access key"
aws iam create-user --user-name cli-user >/dev/null
policy_arn=$(aws iam create-policy --policy-name cli-s3-list \
  --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListAllMyBuckets","s3:GetObject"],"Resource":"*"}]}' \
  --query Policy.Arn)
[[ $policy_arn == arn:aws:iam::*:policy/cli-s3-list ]] || fail "create-policy returned '$policy_arn'"
aws iam attach-user-policy --user-name cli-user --policy-arn "$policy_arn"
[[ $(aws iam list-attached-user-policies --user-name cli-user --query 'AttachedPolicies[0].PolicyArn') == "$policy_arn" ]] || fail "policy not attached"
read -r user_key user_secret < <(aws iam create-access-key --user-name cli-user --query 'AccessKey.[AccessKeyId,SecretAccessKey]')
[[ $user_key == AKIA* && ${#user_secret} == 40 ]] || fail "create-access-key returned '$user_key'"

step "admin creates a bucket with an object"
aws s3api create-bucket --bucket cli-bucket >/dev/null
printf 'hello from the sandbox\n' > "${TMPDIR:-/tmp}/cli-object.$$"
aws s3api put-object --bucket cli-bucket --key greeting.txt --body "${TMPDIR:-/tmp}/cli-object.$$" >/dev/null
rm -f "${TMPDIR:-/tmp}/cli-object.$$"

as_user() { AWS_ACCESS_KEY_ID=$user_key AWS_SECRET_ACCESS_KEY=$user_secret aws "$@"; }

step "the user lists buckets (allowed) and reads the object (allowed)"
[[ $(as_user sts get-caller-identity --query Arn) == arn:aws:iam::*:user/cli-user ]] || fail "get-caller-identity"
[[ $(as_user s3api list-buckets --query 'Buckets[].Name') == *cli-bucket* ]] || fail "list-buckets"
as_user s3api get-object --bucket cli-bucket --key greeting.txt "${TMPDIR:-/tmp}/cli-got.$$" >/dev/null
grep -q 'hello from the sandbox' "${TMPDIR:-/tmp}/cli-got.$$" || fail "get-object content"
rm -f "${TMPDIR:-/tmp}/cli-got.$$"

step "the user creates a bucket (denied)"
if out=$(as_user s3api create-bucket --bucket cli-denied 2>&1); then
  fail "create-bucket succeeded: $out"
fi
[[ $out == *"(AccessDenied)"* && $out == *"is not authorized to perform: s3:CreateBucket"* ]] || fail "create-bucket error: $out"
echo "$out"

step "cloudtrail lookup-events finds both calls"
names=$(aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=cli-user --query 'Events[].EventName')
[[ $names == *ListBuckets* && $names == *CreateBucket* ]] || fail "lookup-events by user: $names"
allowed=$(aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=ListBuckets --query 'Events[0].CloudTrailEvent')
[[ $allowed == *'"userName":"cli-user"'* && $allowed != *errorCode* ]] || fail "ListBuckets event: $allowed"
denied=$(aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=CreateBucket \
  --query "Events[?Username=='cli-user'].CloudTrailEvent | [0]")
[[ $denied == *'"errorCode":"AccessDenied"'* && $denied == *'"userName":"cli-user"'* ]] || fail "CreateBucket event: $denied"
echo "PASS"
