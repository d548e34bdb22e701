import { PubsubSubscription } from '@cdktf/provider-google/lib/pubsub-subscription';
import { PubsubSubscriptionIamMember } from '@cdktf/provider-google/lib/pubsub-subscription-iam-member';
import { PubsubTopic } from '@cdktf/provider-google/lib/pubsub-topic';
import { PubsubTopicIamMember } from '@cdktf/provider-google/lib/pubsub-topic-iam-member';
import { Construct } from 'constructs';
import { checkLabels, ROLES, RULES } from '../limits';
import { grantOnce, IPrincipal } from './principal';
import { synthProblems, throwIfInvalid } from './validation';
import { nonEmpty } from './values';

/** Properties of a {@link DeadLetterTopic}. */
export interface DeadLetterTopicProps {
  /** Topic id: 3-255 letters, digits and `-_.~+%`, a letter first, not starting with "goog". */
  readonly topicName: string;
  /** Subscription id, same rules. @default - the topic name */
  readonly subscriptionName?: string;
  /** Project id. @default - the provider's project */
  readonly project?: string;
  /**
   * How long the subscription keeps dead letters nobody has acknowledged (replayed), 1-31 days.
   * @default 7
   */
  readonly retentionDays?: number;
  /**
   * Refuse `terraform destroy` of the topic and the subscription (`lifecycle.prevent_destroy`): the
   * subscription holds the only copy of the dead letters.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /** Labels on the topic and the subscription. @default - none */
  readonly labels?: Record<string, string>;
}

/**
 * Where a handler's dead letters go: a Pub/Sub topic, and a pull subscription that keeps them for days until the
 * replay CLI (or anyone granted `grantConsume`) reads and acknowledges them. The subscription never expires.
 */
export class DeadLetterTopic extends Construct {
  /** The Pub/Sub topic the handler publishes dead letters to. */
  readonly topic: PubsubTopic;
  /** The pull subscription that keeps dead letters until they are acknowledged (replayed). */
  readonly subscription: PubsubSubscription;
  /** `projects/P/topics/T`: what the handler's `TASKS_DEAD_LETTER_TOPIC` takes. */
  readonly topicPath: string;
  /** `projects/P/subscriptions/S`: what the replay CLI reads. */
  readonly subscriptionPath: string;
  private readonly project?: string;

  constructor(scope: Construct, id: string, props: DeadLetterTopicProps) {
    super(scope, id);
    const retentionDays = props.retentionDays ?? 7;
    const subscriptionName = props.subscriptionName ?? props.topicName;
    const p = synthProblems()
      .rule('topicName', props.topicName, RULES.pubsubName)
      .rule('subscriptionName', props.subscriptionName, RULES.pubsubName)
      .rule('project', props.project, RULES.projectId)
      .rule('retentionDays', retentionDays, RULES.retentionDays);
    checkLabels(p, 'labels', props.labels);
    throwIfInvalid(this, p);

    this.project = props.project;
    const lifecycle = { preventDestroy: props.preventDestroy ?? true };
    const labels = nonEmpty(props.labels);
    this.topic = new PubsubTopic(this, 'Topic', { name: props.topicName, project: props.project, labels, lifecycle });
    this.subscription = new PubsubSubscription(this, 'Subscription', {
      name: subscriptionName,
      project: props.project,
      topic: this.topic.id,
      messageRetentionDuration: `${retentionDays * 86400}s`,
      // Replay pulls, re-enqueues, then acknowledges: a minute is plenty for one task.
      ackDeadlineSeconds: 60,
      // Pull subscriptions expire after 31 idle days by default; dead letters may be rare: never expire.
      expirationPolicy: { ttl: '' },
      labels,
      lifecycle,
    });
    this.topicPath = this.topic.id;
    this.subscriptionPath = this.subscription.id;
  }

  /** Lets `principal` publish dead letters: `roles/pubsub.publisher` on this topic only. */
  grantPublish(principal: IPrincipal): PubsubTopicIamMember {
    return grantOnce(this, ROLES.pubsubPublisher, principal, (id) =>
      new PubsubTopicIamMember(this, id, { project: this.project, topic: this.topic.name, role: ROLES.pubsubPublisher, member: principal.member }),
    );
  }

  /** Lets `principal` read and acknowledge dead letters (replay): `roles/pubsub.subscriber` on this subscription only. */
  grantConsume(principal: IPrincipal): PubsubSubscriptionIamMember {
    return grantOnce(this, ROLES.pubsubSubscriber, principal, (id) =>
      new PubsubSubscriptionIamMember(this, id, {
        project: this.project,
        subscription: this.subscription.name,
        role: ROLES.pubsubSubscriber,
        member: principal.member,
      }),
    );
  }
}
