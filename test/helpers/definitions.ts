// Definitions several tests run: each names what it exercises.

/** A renewal that asks the person's manager, then invites only when approved (approvals, if on a step's output). */
export const APPROVED_INVITE = `
name: approved-invite
on: { event: contract.renewed }
steps:
  - id: ask
    approval: { approvers: ["\${{ employee.manager.email }}"], timeout: 1d }
  - id: go
    if: steps.ask.output.approved
    then:
      - id: invite
        action: openai.invite
        with: { email: "\${{ employee.email }}", role: reader }
`;

/** A move that makes the person an owner, then tells IT (a run that can park on its first step and be retried or skipped). */
export const PROMOTE = `
name: promote
on: { event: employee.updated }
steps:
  - id: make-owner
    action: openai.setRole
    with: { email: "\${{ employee.email }}", role: owner }
  - id: tell
    action: notify
    with: { channel: it, text: "after make-owner: \${{ employee.email }}" }
`;
