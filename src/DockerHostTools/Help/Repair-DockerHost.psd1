@{
    Synopsis     = 'Fixes what Test-DockerHost found, in a safe order, then checks again and says for each finding whether it is fixed.'
    Description  = @'
Repair-DockerHost takes findings from the pipeline (or tests the host itself when given none), checks the host again so
that only findings that still hold are repaired, and applies every repairable one in a safe order: ip_forward first
(Repair-IpForward's drop-in, with -Force semantics when a later file overrides it), then firewalld ports (runtime and
permanent, without a reload, in the zone of the outside interface), then Docker's rules (systemctl reset-failed and
restart docker, then a bounded wait until the chains and every DNAT rule are back), then containers that are not running.
Restarting docker comes after the firewalld change so that nothing flushes the rules it re-creates.

Each step goes through ShouldProcess: -WhatIf prints the plan and changes nothing. A failed step stops the later ones.
Afterwards the host is checked again and one result per finding says Verified when the check no longer reports it.
ConfirmImpact is High: it can restart the Docker engine.
'@
    Parameters   = @{
        Finding = 'Findings from Test-DockerHost (live objects, or read back with Import-Clixml / ConvertFrom-Json: they are matched again by Id and Target).'
        Socket  = 'The Docker Engine API socket (default /run/docker.sock).'
        Session       = 'For findings of a fleet read back from a file (they carry HostName): the sessions to send them to, matched by ComputerName. Findings piped from Test-DockerHost -Session/-HostName in the same pwsh go back through the session they came from without it. A finding whose host has no session here is a FindingHostNotConnected error: it is never repaired on another host.'
        ThrottleLimit = 'How many hosts of a fleet are repaired at once (default 32).'
    }
    Outputs      = @{ DockerHostRepairResult = 'Id, Target, Severity, Message, Steps (each with its Outcome), Verified, Remaining.' }
    Examples     = @(
        @{ Code = 'Test-DockerHost | Repair-DockerHost -WhatIf'; Remarks = 'The plan, in the order it would run; nothing changes.' }
        @{ Code = 'Test-DockerHost -Session $s | Repair-DockerHost -WhatIf'; Remarks = 'A fleet''s plan: per host, each finding in the order its repair would run; nothing changes.' }
        @{ Code = 'Test-DockerHost -Session $s | Repair-DockerHost -Confirm:$false -ThrottleLimit 4'; Remarks = 'Repairs each host in its own session (the host''s own Repair-DockerHost, in the safe order, verified there); each result has HostName.' }
        @{ Code = 'Test-DockerHost | Repair-DockerHost -Confirm:$false'; Remarks = 'Fixes every repairable finding without asking and verifies each.' }
        @{ Code = 'Test-DockerHost | Where-Object Id -like IpForward* | Repair-DockerHost'; Remarks = 'Repairs only the forwarding findings (asks first).' }
        @{ Code = 'Repair-DockerHost -Confirm:$false | Where-Object { -not $_.Verified }'; Remarks = 'Tests, repairs, and lists what is still wrong.' }
    )
    Notes        = 'Needs root (NotRoot otherwise). Error ids: NotRoot, InputNotAFinding, FindingHostNotConnected (a fleet finding whose host has no session), SessionNotOpened, RemoteCommandFailed (the session of a fleet host failed; other hosts go on; errors of the repair on a host come back with their own id and the host in the message), RepairPlanFailed, RepairStepFailed, NoSpaceLeft (WriteError), NativeCallTimedOut. Findings with CanRepair false (ForwardPolicyDrop, DockerUserDrop, DockerRulesInOtherVariant, IpForwardResetRisk) get a warning with their remedy.'
    RelatedLinks = @('Test-DockerHost', 'Get-DockerHostNetState', 'Repair-IpForward', 'Add-FirewalldPort', 'Repair-DockerChain', 'about_DockerHostTools')
}
