import t from 'tap';
import { parseCommand } from '../../src/cli/args.js';

const base = ['serve', '--host-kubeconfig', 'host.yaml', '--host-namespace', 'vc-host'];
const hostOf = (argv: string[]) => {
  const command = parseCommand(argv) as { config?: { hostCluster?: { apiHost?: string; apiPort?: number } } };
  return command.config?.hostCluster;
};

t.test('--sync-api-host sets the address synced pods reach the virtual API at', async (t) => {
  t.match(hostOf([...base, '--sync-api-host', '10.96.0.10']), { apiHost: '10.96.0.10', apiPort: 6443 }, 'port defaults to --port');
  t.match(hostOf([...base, '--port', '8443', '--sync-api-host', 'vc.example']), { apiHost: 'vc.example', apiPort: 8443 });
  t.match(hostOf([...base, '--sync-api-host', 'vc.example:443']), { apiHost: 'vc.example', apiPort: 443 });
  t.match(hostOf([...base, '--sync-api-host', '[fd00::1]:443']), { apiHost: 'fd00::1', apiPort: 443 });
  t.notOk(hostOf(base)?.apiHost, 'absent without the flag');
  t.throws(() => parseCommand([...base, '--sync-api-host', 'a:b:c']), /invalid --sync-api-host "a:b:c": must be HOST or HOST:PORT/);
  t.throws(() => parseCommand([...base, '--sync-api-host', 'h:70000']), /invalid --sync-api-host/);
  t.throws(() => parseCommand(['serve', '--sync-api-host', 'h']), /--sync-api-host needs --host-kubeconfig/);
});
