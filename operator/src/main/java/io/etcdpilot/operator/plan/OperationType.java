package io.etcdpilot.operator.plan;

/** What a step is part of, as {@code status.operation.type} names it. */
public enum OperationType {
  AddMember, RemoveMember, ReplaceMember, RollingRestart, Upgrade, Downgrade, Defragment, NoSpaceRecovery, GrowVolumes, MoveLeadership, RecoverQuorum
}
