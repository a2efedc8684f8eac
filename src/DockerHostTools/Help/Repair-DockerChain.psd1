@{
    Synopsis     = 'Restores Docker''s iptables chains and DNAT rules: systemctl reset-failed and restart docker, then waits (bounded) until the rules of every published port are back.'
    Description  = @'
The way that works to get Docker's rules back after firewalld flushed them is to restart dockerd. Repair-DockerChain
first records the running containers and their restart policy, then runs
  systemctl reset-failed docker.service docker.socket   (the unit allows only a few starts a minute)
  systemctl restart docker.service
and waits, at most -TimeoutSec seconds, until nat DOCKER is back and jumped into, filter DOCKER exists, and every
published port of every running container has its DNAT rule.

Containers without a restart policy (always or unless-stopped) do not come back after an engine restart: the result
lists them in ContainersNotBack and a warning names each. With -RestartContainers they are started again (each
asked with ShouldProcess) and the wait is repeated.

It restarts the engine, so ConfirmImpact is High: it asks unless -Confirm:$false; -WhatIf shows the plan and changes
nothing. When the rules are not back in time it writes the error DockerChainsNotRestored and still returns the state.
'@
    Parameters   = @{
        Socket            = 'The Docker socket (default /run/docker.sock).'
        TimeoutSec        = 'How long to wait for the rules after the restart, in seconds (1-600, default 60).'
        RestartContainers = 'Start again the containers that ran before the restart and did not come back by themselves.'
    }
    Outputs      = @{ DockerChainRepairResult = 'Steps (each with its Outcome), ChainsRestored, DnatRestored, Waited, WaitedMs, ContainersNotBack, ContainersStarted, Chains, Ports.' }
    Examples     = @(
        @{ Code = 'Repair-DockerChain -WhatIf'; Remarks = 'Shows what it would do: reset-failed, restart docker.' }
        @{ Code = 'Repair-DockerChain -Confirm:$false'; Remarks = 'Restarts docker without asking and waits until the DNAT rules are back.' }
        @{ Code = 'Repair-DockerChain -RestartContainers -TimeoutSec 120 -Confirm:$false | Select-Object DnatRestored, ContainersStarted'; Remarks = 'Also starts the containers that have no restart policy, and waits up to two minutes.' }
        @{ Code = 'if (Get-DockerPublishedPort | Where-Object { -not $_.DnatRulePresent }) { Repair-DockerChain -Confirm:$false }'; Remarks = 'Repairs only when a DNAT rule is missing.' }
    )
    Notes        = 'Needs root and systemd. A restart of dockerd stops every container for a moment. Error ids: NotRoot, SystemdNotRunning, DockerRestartFailed (InvalidResult: systemctl restart docker.service failed, for example dockerd killed while it started; the wait is not attempted), DockerChainsNotRestored (OperationTimeout), NativeCallTimedOut (iptables-save did not answer during the wait; Docker was restarted), RepairInProgress (ResourceBusy).'
    RelatedLinks = @('Get-DockerChain', 'Get-DockerPublishedPort', 'Get-DockerHostService', 'about_DockerHostTools')
}
