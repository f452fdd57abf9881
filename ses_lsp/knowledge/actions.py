"""The receiving actions of SES classic receipt rules and Mail Manager rules.

Sources:

* SES classic ``ReceiptAction`` (one member per action type):
  https://docs.aws.amazon.com/ses/latest/APIReference/API_ReceiptAction.html
* Mail Manager ``RuleAction``:
  https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_RuleAction.html
"""

from __future__ import annotations

# The members of a classic ReceiptAction, one per action type.
CLASSIC_ACTION_TYPES = (
    "S3Action",
    "BounceAction",
    "WorkmailAction",
    "LambdaAction",
    "StopAction",
    "AddHeaderAction",
    "SNSAction",
    "ConnectAction",
)
# Classic actions that store or deliver the message somewhere.
CLASSIC_DELIVERY_ACTIONS = frozenset({"S3Action", "WorkmailAction", "LambdaAction", "SNSAction", "ConnectAction"})

# Mail Manager actions that deliver, store or forward the message.
MM_DELIVERY_ACTIONS = frozenset(
    {"Relay", "Archive", "WriteToS3", "Send", "DeliverToMailbox", "DeliverToQBusiness", "PublishToSns", "InvokeLambda"}
)
# Mail Manager actions that hand the message to its destination (a mailbox, a relay, the
# internet, an S3 bucket, Amazon Q Business): the mail is delivered.  Archive, PublishToSns and
# InvokeLambda are left out: they keep a copy, notify or process, usually beside a delivery (an
# "archive everything" rule before the routing rules is the documented pattern).
MM_HANDOVER_ACTIONS = frozenset({"Relay", "WriteToS3", "Send", "DeliverToMailbox", "DeliverToQBusiness"})

# The member that names where an action sends the message (its destination), by action type:
# classic ReceiptAction members and Mail Manager RuleAction members (API reference pages above).
ACTION_DESTINATION = {
    "S3Action": "BucketName",
    "SNSAction": "TopicArn",
    "LambdaAction": "FunctionArn",
    "WorkmailAction": "OrganizationArn",
    "ConnectAction": "InstanceARN",
    "BounceAction": "SmtpReplyCode",
    "AddHeaderAction": "HeaderName",
    "WriteToS3": "S3Bucket",
    "Relay": "Relay",
    "Archive": "TargetArchive",
    "DeliverToMailbox": "MailboxArn",
    "DeliverToQBusiness": "ApplicationId",
    "PublishToSns": "TopicArn",
    "InvokeLambda": "FunctionArn",
    "Bounce": "SmtpReplyCode",
    "AddHeader": "HeaderName",
    "ReplaceRecipient": "ReplaceWith",
}
