@{
    Synopsis     = 'Turns IP forwarding on now and keeps it on: writes a sysctl.d drop-in atomically, applies it, and reports what still overrides it.'
    Description  = @'
Repair-IpForward makes both the runtime and the persisted value 1. It writes its own drop-in,
/etc/sysctl.d/99-zz-dockerhosttools-ipforward.conf by default (named to sort after 99-*.conf hardening files), through a
temporary file and a rename, and only when its text would change; then it sets the runtime value with sysctl -w when
it is not already 1. A second run changes nothing and does not touch the file.

Lines applied after the drop-in that still set the key to 0 (a later file, or /etc/sysctl.conf, which sysctl --system
applies last) are reported as warnings and in RemainingOverrides. With -Force they are neutralised: a line in /etc is
commented out with a marker after a backup (FILE.dht-backup-TIMESTAMP) is written; a line in a vendor file under
/usr/lib or /run is hidden by a same-name copy in /etc/sysctl.d with the line commented out, so the package's own file
is left alone.

Every change goes through ShouldProcess: -WhatIf lists the plan and changes nothing. It needs root; a missing right, a
read-only /etc or a failing sysctl stop it with an error, and the result's Steps say exactly what was and was not done.
'@
    Parameters   = @{
        Family = 'The family to repair: IPv4 (the default), IPv6 or All.'
        Path   = 'The drop-in to write: a .conf file directly in one of the sysctl.d folders. An existing file keeps its other lines; only the forwarding keys are set to 1 or added.'
        Force  = 'Also neutralise the lines applied after the drop-in that set forwarding to 0 (a backup is kept).'
    }
    Outputs      = @{ IpForwardRepairResult = 'Changed, Ok, DropInPath, Steps (each planned change with its Outcome: Done, Skipped, Failed, NotAttempted), RemainingOverrides and After (the state of each family afterwards).' }
    Examples     = @(
        @{ Code = 'Repair-IpForward -WhatIf'; Remarks = 'Shows what would be written and applied; changes nothing.' }
        @{ Code = 'Repair-IpForward -Confirm:$false'; Remarks = 'Repairs IPv4 forwarding without asking, as a runbook would.' }
        @{ Code = 'Get-IpForward | Where-Object Status -eq Overridden | ForEach-Object { Repair-IpForward -Force }'; Remarks = 'When a later file (a 99-cis.conf, say) switches forwarding off again, comments out its line (a backup is kept) so the drop-in wins.' }
        @{ Code = 'try { Repair-IpForward -Family All -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }'; Remarks = 'A runbook catches the failure by its constant id, for example NotRoot or ReadOnlyFileSystem.' }
    )
    Notes        = 'Error ids: NotRoot (PermissionDenied), InvalidDropInPath (InvalidArgument), ReadOnlyFileSystem (WriteError), NoSpaceLeft (WriteError: the file system of the drop-in is full; the runtime value is still set), NativeProgramNotFound (sysctl missing), NativeCallTimedOut, RepairStepFailed.'
    RelatedLinks = @('Get-IpForward', 'about_DockerHostTools')
}
