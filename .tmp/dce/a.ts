declare const FLAG: string | undefined;
export function load(): unknown {
  return typeof FLAG === 'string' ? require(require('path').join(__dirname, FLAG)) : require('./b');
}
