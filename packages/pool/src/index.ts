export { WorkStealingDeque, EMPTY, RETRY } from './deque.js';
