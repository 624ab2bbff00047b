# Example values for offline plans (`./just plan prod --offline`, tests, lint): never used in AWS.
alarm_sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:tablekit-oncall"
