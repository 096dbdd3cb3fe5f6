export const big = 'BIGMODULE';
