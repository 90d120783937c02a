"""Fix actions: plan (pure), preview, confirm, run through one gate, audit.

Modules
    registry.py FIXES: fix id -> FixSpec(on, action, planner, command). The one table of fixes: an Action
                is a plan type + the backend carrying it + its permission rule; required_permissions(plan,
                backend) and backend_for(plan, argo) read it. Adding a fix is one row. Pure.
    plans.py    the plan types: FixPlan (what every action shares) and one frozen subclass per action kind
                (SyncPlan, RefreshPlan, OrderedSyncPlan, PortForwardPlan, ...), tagged by `kind`. Pure.
    app_planners.py, kube_planners.py   the planners the registry names. Pure.
    argo_planners.py  restart and delete-pod on a cluster kftui reads through Argo CD's API: Argo CD's `restart`
                action and its delete of the resource, through the Application that manages it (the
                registry's VIA_ARGO rows; plan.py picks them by the object's origin). Pure.
    drift_planner.py  the drift fix (ignore-drift): plan_ignore_drift(spec, target, snapshot, entries) with the
                ignoreDifferences entries of a diff (the diff view, `kftui diff --fix`); blocked without one,
                and for an Application managed from git (the YAML for git instead). Pure.
    plan.py     plan_fix(finding, fix_id, snapshot, profile) / plan_action(fix_id, target, snapshot, profile)
                -> FixPlan; actions_for(target, snapshot) -> fix ids for a tree node. Pure.
    permissions.py  the permission rules (one per kind of request) and forbidden_reason. Pure.
    gate.py     Gate(read_only, audit, context, access): refusal(plan, backend) for the UI (known answers
                only), review(...) in workers (asks the AccessReview), execute(...) for every mutation.
    argo_access.py  ArgoRbac: Argo CD's own RBAC for what goes through its REST API (can-i per action and
                app; a per-resource action's refusal is learnt from Argo CD's 403).
    audit.py    AuditLog: JSON lines under $XDG_STATE_HOME/kftui/audit.jsonl (or --audit-log), tokens scrubbed.
    run.py      FixRunner(gate, argo, workloads): run(plan) -> FixResult through EXECUTORS (plan type ->
                executor, the one dispatch), choices(finding, ...) for the panel.
    ordered.py  OrderedSync(runner, chain, ...).run(cancel) -> OrderedResult, with per-step callbacks.
    runtime.py  build_fix_runtime(source, FixOptions) -> FixRuntime(runner, forwards, audit); close() on exit.

Backends (kftui/cluster/): appops.KubeAppOps + KubeWorkloadOps (Kubernetes API, the default),
argocd.ArgoRestOps (Argo CD REST API, --argocd-server / ARGOCD_SERVER; also ops.ArgoResourceOps: a resource
action or delete on any cluster Argo CD deploys to), portforward.ForwardManager,
access.KubeAccessReview (SelfSubjectAccessReview, cached; never in read-only mode).

Wiring in the app (ui/fix_actions.py, a base class of ui/app.py), with `fixes: FixRuntime | None` passed in by cli.py:
    on a finding's fix      plan = plan_fix(finding, fix.id, app.snapshot, app.profile)
                            open_fix_screen(app, plan, fixes, on_done)   (ui/screens/fix_confirm.py), i.e.
        OrderedSyncPlan  -> push_screen(OrderedSyncScreen(plan, fixes.runner), on_done)
        PortForwardPlan  -> push_screen(PortForwardsScreen(fixes.forwards, plan.forward, start=True))
        anything else    -> push_screen(FixConfirmScreen(plan, fixes.runner), on_done)
    on a tree node          actions_for(node_ref, snapshot) -> fix ids; plan_action(fix_id, node_ref, ...)
    fix ids outside PLANNABLE (describe, logs, edit-manifests, split-application, wait-for-webhook,
    fix-source) are views or advice: the panel copies their command.
    the panel greys out     fixes.runner.choices(finding, snapshot, profile, review=True)[i].disabled
                            (a reason, or None), computed in a thread worker: a review may ask the cluster
    on exit                 fixes.close()  (stops every port-forward)
"""
