# Safe example values of prod's required inputs, for the simulated account, lint and the tests:
# `tablekit plan prod --account simulated --var-file envs/prod/example.tfvars`. Never used in AWS:
# there the value comes from --var/--var-file, or in CI from the repository variable
# PROD_ALARM_SNS_TOPIC_ARN. 222222222222 is prod's endpoint account on the simulated account.
alarm_sns_topic_arn = "arn:aws:sns:us-east-1:222222222222:tablekit-oncall"
